-- CreateEnum
CREATE TYPE "PublishState" AS ENUM ('validating', 'moving');

-- AlterTable
ALTER TABLE "Content" ADD COLUMN     "previousPublishedPath" TEXT;

-- CreateTable
CREATE TABLE "PublishAttempt" (
    "contentId" UUID NOT NULL,
    "publishId" UUID NOT NULL,
    "state" "PublishState" NOT NULL DEFAULT 'validating',
    "previousPublishedPath" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "PublishAttempt_pkey" PRIMARY KEY ("contentId")
);

-- AddForeignKey
ALTER TABLE "PublishAttempt" ADD CONSTRAINT "PublishAttempt_contentId_fkey" FOREIGN KEY ("contentId") REFERENCES "Content"("id") ON DELETE CASCADE ON UPDATE CASCADE;

