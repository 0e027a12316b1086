-- CreateEnum
CREATE TYPE "LiveState" AS ENUM ('idle', 'live', 'ended');

-- AlterEnum
ALTER TYPE "ContentKind" ADD VALUE 'live';

-- CreateTable
CREATE TABLE "LiveChannel" (
    "id" UUID NOT NULL,
    "ownerId" UUID NOT NULL,
    "contentId" UUID NOT NULL,
    "streamKeyHash" TEXT NOT NULL,
    "state" "LiveState" NOT NULL DEFAULT 'idle',
    "encoderMaster" TEXT,
    "targetDuration" INTEGER NOT NULL DEFAULT 0,
    "lastIngestAt" TIMESTAMP(3),
    "startedAt" TIMESTAMP(3),
    "endedAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "LiveChannel_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "LiveInit" (
    "channelId" UUID NOT NULL,
    "rung" TEXT NOT NULL,
    "index" INTEGER NOT NULL,
    "file" TEXT NOT NULL,
    "sha256" TEXT NOT NULL,
    "timescale" INTEGER NOT NULL,
    "trackId" INTEGER NOT NULL,
    "codecs" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "LiveInit_pkey" PRIMARY KEY ("channelId","rung","index")
);

-- CreateTable
CREATE TABLE "LiveSegment" (
    "channelId" UUID NOT NULL,
    "rung" TEXT NOT NULL,
    "sequence" INTEGER NOT NULL,
    "initIndex" INTEGER NOT NULL,
    "durationSeconds" DOUBLE PRECISION NOT NULL,
    "decodeTime" BIGINT NOT NULL,
    "programDateTime" TIMESTAMP(3) NOT NULL,
    "discontinuity" BOOLEAN NOT NULL DEFAULT false,
    "size" INTEGER NOT NULL,
    "sha256" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "LiveSegment_pkey" PRIMARY KEY ("channelId","rung","sequence")
);

-- CreateIndex
CREATE UNIQUE INDEX "LiveChannel_contentId_key" ON "LiveChannel"("contentId");

-- CreateIndex
CREATE UNIQUE INDEX "LiveChannel_streamKeyHash_key" ON "LiveChannel"("streamKeyHash");

-- CreateIndex
CREATE INDEX "LiveChannel_ownerId_createdAt_idx" ON "LiveChannel"("ownerId", "createdAt" DESC);

-- CreateIndex
CREATE INDEX "LiveChannel_state_lastIngestAt_idx" ON "LiveChannel"("state", "lastIngestAt");

-- AddForeignKey
ALTER TABLE "LiveChannel" ADD CONSTRAINT "LiveChannel_ownerId_fkey" FOREIGN KEY ("ownerId") REFERENCES "User"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "LiveChannel" ADD CONSTRAINT "LiveChannel_contentId_fkey" FOREIGN KEY ("contentId") REFERENCES "Content"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "LiveInit" ADD CONSTRAINT "LiveInit_channelId_fkey" FOREIGN KEY ("channelId") REFERENCES "LiveChannel"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "LiveSegment" ADD CONSTRAINT "LiveSegment_channelId_fkey" FOREIGN KEY ("channelId") REFERENCES "LiveChannel"("id") ON DELETE CASCADE ON UPDATE CASCADE;

