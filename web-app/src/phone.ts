// What people type into a phone field, made E.164 for the API (libphonenumber-js, min metadata).
import {
  type CountryCode,
  getCountries,
  getCountryCallingCode,
  getExampleNumber,
  parsePhoneNumberFromString,
} from "libphonenumber-js/min";
import examples from "libphonenumber-js/mobile/examples";

export type { CountryCode };

/** Every country with its calling code, named in the browser's language, sorted by name. */
export function countryOptions(locale = navigator.language): { code: CountryCode; label: string }[] {
  let names: Intl.DisplayNames | null = null;
  try {
    names = new Intl.DisplayNames([locale, "en"], { type: "region" });
  } catch {
    names = null;
  }
  return getCountries()
    .map((code) => ({ code, name: names?.of(code) ?? code }))
    .sort((a, b) => a.name.localeCompare(b.name))
    .map(({ code, name }) => ({ code, label: `${name} (+${getCountryCallingCode(code)})` }));
}

/** The country the browser's language names (en-GB → GB), else the United States. */
export function defaultCountry(
  languages: readonly string[] = navigator.languages ?? [navigator.language],
): CountryCode {
  const known = new Set<string>(getCountries());
  for (const tag of languages) {
    const region = tag.split("-").find((part, i) => i > 0 && /^[A-Z]{2}$/.test(part));
    if (region && known.has(region)) return region as CountryCode;
  }
  return "US";
}

/** A valid mobile number of the country, written as its people write it: the field's placeholder. */
export function examplePhone(country: CountryCode): string {
  return getExampleNumber(country, examples)?.formatNational() ?? "";
}

/**
 * The E.164 form of what was typed: national format in `country` ("(415) 555-0199"), or
 * international with + ("+44 20 7946 0958"); spaces, dashes, dots and brackets are fine. A number
 * that is not valid is returned as typed, so that the API's message about it is shown.
 */
export function toE164(typed: string, country: CountryCode): string {
  const parsed = parsePhoneNumberFromString(typed, country);
  return parsed?.isValid() ? parsed.number : typed.trim();
}

/** +14155550199 → "+1 415 555 0199" (for telling the user where the code went). */
export function formatPhone(e164: string): string {
  return parsePhoneNumberFromString(e164)?.formatInternational() ?? e164;
}
