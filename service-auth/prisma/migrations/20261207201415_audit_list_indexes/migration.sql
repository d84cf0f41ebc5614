-- DropIndex
DROP INDEX "auth_audit_logs_tenantId_eventType_createdAt_idx";

-- CreateIndex
CREATE INDEX "auth_audit_logs_tenantId_eventType_createdAt_id_idx" ON "auth_audit_logs"("tenantId", "eventType", "createdAt", "id");

-- CreateIndex
CREATE INDEX "auth_audit_logs_tenantId_createdAt_id_idx" ON "auth_audit_logs"("tenantId", "createdAt", "id");
