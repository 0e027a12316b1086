-- AlterTable
ALTER TABLE "Content" ADD COLUMN     "mediaEpoch" INTEGER NOT NULL DEFAULT 0;

