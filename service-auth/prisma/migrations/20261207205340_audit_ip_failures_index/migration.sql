-- CreateIndex
CREATE INDEX "auth_audit_logs_ipAddress_eventType_createdAt_idx" ON "auth_audit_logs"("ipAddress", "eventType", "createdAt");
