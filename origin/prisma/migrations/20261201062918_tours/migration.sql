-- CreateEnum
CREATE TYPE "TourMode" AS ENUM ('free', 'guided');

-- CreateEnum
CREATE TYPE "TourStatus" AS ENUM ('draft', 'published');

-- CreateTable
CREATE TABLE "Tour" (
    "id" UUID NOT NULL,
    "ownerId" UUID NOT NULL,
    "title" TEXT NOT NULL,
    "description" TEXT NOT NULL DEFAULT '',
    "mode" "TourMode" NOT NULL DEFAULT 'free',
    "visibility" "Visibility" NOT NULL DEFAULT 'public',
    "status" "TourStatus" NOT NULL DEFAULT 'draft',
    "destinationId" UUID,
    "scenes" JSONB NOT NULL DEFAULT '[]',
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,
    "publishedAt" TIMESTAMP(3),

    CONSTRAINT "Tour_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "Tour_ownerId_createdAt_idx" ON "Tour"("ownerId", "createdAt" DESC);

-- CreateIndex
CREATE INDEX "Tour_status_visibility_publishedAt_idx" ON "Tour"("status", "visibility", "publishedAt" DESC);

-- CreateIndex
CREATE INDEX "Tour_destinationId_idx" ON "Tour"("destinationId");

-- AddForeignKey
ALTER TABLE "Tour" ADD CONSTRAINT "Tour_ownerId_fkey" FOREIGN KEY ("ownerId") REFERENCES "User"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Tour" ADD CONSTRAINT "Tour_destinationId_fkey" FOREIGN KEY ("destinationId") REFERENCES "Destination"("id") ON DELETE SET NULL ON UPDATE CASCADE;


