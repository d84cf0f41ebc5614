// Shared by route files; registers nothing (routes never import other routes).
import { z } from "@hono/zod-openapi";
import { normalisePhone } from "../../services/methods/sms/sms-otp.service.ts";

/** A phone number in E.164 form (normalised), or a 400. */
export const Phone = z
  .string()
  .max(20)
  .transform((v, ctx) => {
    const e164 = normalisePhone(v);
    if (!e164) {
      ctx.addIssue({ code: "custom", message: "must be a valid phone number, like +1 415 555 0123 (E.164)" });
      return z.NEVER;
    }
    return e164;
  });
