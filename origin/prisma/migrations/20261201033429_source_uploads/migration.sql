-- CreateEnum
CREATE TYPE "SourceUploadStatus" AS ENUM ('uploading', 'queued', 'probing', 'checking', 'transcoding', 'publishing', 'ready', 'failed');

-- CreateTable
CREATE TABLE "SourceUpload" (
    "id" UUID NOT NULL,
    "contentId" UUID NOT NULL,
    "ownerId" UUID NOT NULL,
    "fileName" TEXT NOT NULL,
    "size" BIGINT NOT NULL,
    "receivedBytes" BIGINT NOT NULL DEFAULT 0,
    "status" "SourceUploadStatus" NOT NULL DEFAULT 'uploading',
    "progress" DOUBLE PRECISION NOT NULL DEFAULT 0,
    "error" TEXT,
    "sha256" TEXT,
    "duplicateOfId" UUID,
    "stitchReport" JSONB,
    "projection" TEXT,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "expiresAt" TIMESTAMP(3) NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "SourceUpload_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "SourceUpload_ownerId_sha256_idx" ON "SourceUpload"("ownerId", "sha256");

-- CreateIndex
CREATE INDEX "SourceUpload_status_expiresAt_idx" ON "SourceUpload"("status", "expiresAt");

-- CreateIndex
CREATE INDEX "SourceUpload_contentId_idx" ON "SourceUpload"("contentId");

-- AddForeignKey
ALTER TABLE "SourceUpload" ADD CONSTRAINT "SourceUpload_contentId_fkey" FOREIGN KEY ("contentId") REFERENCES "Content"("id") ON DELETE CASCADE ON UPDATE CASCADE;
