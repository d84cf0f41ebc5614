import { parsePhoneNumberFromString } from "libphonenumber-js/min";
import { describe, expect, it } from "vitest";
import { ApiError, errorMessage } from "./api.ts";
import { formProblem } from "./field-errors.tsx";
import { countryOptions, defaultCountry, examplePhone, formatPhone, toE164 } from "./phone.ts";

const invalid = (errors: unknown) => new ApiError(400, "VALIDATION_FAILED", "The request is invalid", { errors });

describe("the API's per-field messages", () => {
  it("go to their fields, never as 'The request is invalid'", () => {
    const e = invalid([{ path: "email", message: "must be an e-mail address, like you@example.com" }]);
    expect(formProblem(e, ["email"])).toEqual({
      fields: { email: "Must be an e-mail address, like you@example.com." },
      form: null,
    });
    expect(errorMessage(e)).toBe("email: must be an e-mail address, like you@example.com");
  });

  it("keep what no field of the form can show for the form, with its path", () => {
    const e = invalid([
      { path: "phone", message: "must be a valid phone number" },
      { path: "", message: "Unrecognized key: extra" },
    ]);
    expect(formProblem(e, ["phone"])).toEqual({
      fields: { phone: "Must be a valid phone number." },
      form: "Unrecognized key: extra.",
    });
    expect(formProblem(e, [])).toEqual({
      fields: {},
      form: "Phone: must be a valid phone number; Unrecognized key: extra.",
    });
  });

  it("fall back to the problem's words when there is no errors[] (or no ApiError)", () => {
    const limited = new ApiError(429, "RATE_LIMITED", "slow down", {}, 30);
    expect(formProblem(limited, ["email"])).toEqual({
      fields: {},
      form: "Too many attempts. Try again in 30 seconds.",
    });
    expect(formProblem(invalid("nonsense"), ["email"])).toEqual({ fields: {}, form: "The request is invalid" });
    expect(formProblem(new Error("x"), ["email"]).form).toBe("Something went wrong. Please try again.");
  });
});

describe("phone numbers as people type them", () => {
  it("national format with a country, or international with +, becomes E.164", () => {
    expect(toE164("(415) 555-0199", "US")).toBe("+14155550199");
    expect(toE164("415.555.0199", "US")).toBe("+14155550199");
    expect(toE164("+44 20 7946 0958", "US")).toBe("+442079460958");
    expect(toE164("020 7946 0958", "GB")).toBe("+442079460958");
    // Not a number: sent as typed, so that the API's message about it is shown.
    expect(toE164(" 555 01 ", "US")).toBe("555 01");
    expect(formatPhone("+14155550199")).toBe("+1 415 555 0199");
  });

  it("every country's placeholder is a valid number of that country", () => {
    const countries = countryOptions("en");
    expect(countries.length).toBeGreaterThan(200);
    expect(countries.find((c) => c.code === "US")?.label).toBe("United States (+1)");
    const wrong = countries.filter(({ code }) => {
      const example = examplePhone(code);
      return example !== "" && !parsePhoneNumberFromString(example, code)?.isValid();
    });
    expect(wrong).toEqual([]);
    expect(examplePhone("US")).toMatch(/^\(\d{3}\) \d{3}-\d{4}$/);
  });

  it("the country picker starts at the browser's region", () => {
    expect(defaultCountry(["de-DE", "en"])).toBe("DE");
    expect(defaultCountry(["en"])).toBe("US");
    expect(defaultCountry(["zh-Hant-TW"])).toBe("TW");
  });
});
