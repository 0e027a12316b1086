-- CreateIndex
CREATE INDEX "AdImpression_impressedAt_createdAt_idx" ON "AdImpression"("impressedAt", "createdAt");

