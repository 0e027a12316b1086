-- AlterEnum
ALTER TYPE "Role" ADD VALUE 'advertiser';

-- CreateTable
CREATE TABLE "AdCampaign" (
    "id" UUID NOT NULL,
    "advertiserId" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "creativeContentId" UUID,
    "creativeForm" TEXT NOT NULL DEFAULT 'flat',
    "vastTagUrl" TEXT,
    "clickThroughUrl" TEXT,
    "skipOffsetSeconds" DOUBLE PRECISION,
    "startsAt" TIMESTAMP(3) NOT NULL,
    "endsAt" TIMESTAMP(3) NOT NULL,
    "targetGenres" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "targetTags" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "targetPlaceName" TEXT,
    "targetLatitude" DOUBLE PRECISION,
    "targetLongitude" DOUBLE PRECISION,
    "targetRadiusKm" DOUBLE PRECISION,
    "targetDelivery" TEXT NOT NULL DEFAULT 'any',
    "budgetImpressions" INTEGER NOT NULL,
    "frequencyCapPerDay" INTEGER NOT NULL,
    "impressions" INTEGER NOT NULL DEFAULT 0,
    "paused" BOOLEAN NOT NULL DEFAULT false,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "AdCampaign_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "AdPlacement" (
    "contentId" UUID NOT NULL,
    "enabled" BOOLEAN NOT NULL DEFAULT true,
    "preroll" BOOLEAN NOT NULL DEFAULT false,
    "midrollSeconds" DOUBLE PRECISION[] DEFAULT ARRAY[]::DOUBLE PRECISION[],
    "liveMidrollEveryMinutes" INTEGER,
    "postroll" BOOLEAN NOT NULL DEFAULT false,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "AdPlacement_pkey" PRIMARY KEY ("contentId")
);

-- CreateTable
CREATE TABLE "AdImpression" (
    "id" UUID NOT NULL,
    "campaignId" UUID NOT NULL,
    "contentId" UUID NOT NULL,
    "position" TEXT NOT NULL,
    "viewerKey" TEXT NOT NULL,
    "day" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "impressedAt" TIMESTAMP(3),

    CONSTRAINT "AdImpression_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "AdEvent" (
    "id" BIGSERIAL NOT NULL,
    "impressionId" UUID NOT NULL,
    "campaignId" UUID NOT NULL,
    "event" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "AdEvent_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "AdCampaign_advertiserId_createdAt_idx" ON "AdCampaign"("advertiserId", "createdAt" DESC);

-- CreateIndex
CREATE INDEX "AdCampaign_startsAt_endsAt_idx" ON "AdCampaign"("startsAt", "endsAt");

-- CreateIndex
CREATE INDEX "AdImpression_campaignId_viewerKey_day_idx" ON "AdImpression"("campaignId", "viewerKey", "day");

-- CreateIndex
CREATE INDEX "AdEvent_campaignId_createdAt_idx" ON "AdEvent"("campaignId", "createdAt");

-- CreateIndex
CREATE UNIQUE INDEX "AdEvent_impressionId_event_key" ON "AdEvent"("impressionId", "event");

-- AddForeignKey
ALTER TABLE "AdCampaign" ADD CONSTRAINT "AdCampaign_advertiserId_fkey" FOREIGN KEY ("advertiserId") REFERENCES "User"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "AdCampaign" ADD CONSTRAINT "AdCampaign_creativeContentId_fkey" FOREIGN KEY ("creativeContentId") REFERENCES "Content"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "AdPlacement" ADD CONSTRAINT "AdPlacement_contentId_fkey" FOREIGN KEY ("contentId") REFERENCES "Content"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "AdImpression" ADD CONSTRAINT "AdImpression_campaignId_fkey" FOREIGN KEY ("campaignId") REFERENCES "AdCampaign"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "AdEvent" ADD CONSTRAINT "AdEvent_impressionId_fkey" FOREIGN KEY ("impressionId") REFERENCES "AdImpression"("id") ON DELETE CASCADE ON UPDATE CASCADE;
