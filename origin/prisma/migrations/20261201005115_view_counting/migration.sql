-- AlterTable
ALTER TABLE "ViewingSession" ADD COLUMN     "addressHash" TEXT,
ADD COLUMN     "viewCheckedAt" TIMESTAMP(3),
ADD COLUMN     "viewCounted" BOOLEAN NOT NULL DEFAULT false;

-- CreateIndex
CREATE INDEX "ViewingSession_contentId_addressHash_viewCheckedAt_idx" ON "ViewingSession"("contentId", "addressHash", "viewCheckedAt");


-- Sessions started before this migration counted their view when they started (the old rule):
-- mark them judged, so their next heartbeat does not count a second one.
UPDATE "ViewingSession" SET "viewCheckedAt" = "startedAt", "viewCounted" = true;
