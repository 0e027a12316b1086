-- AlterTable
ALTER TABLE "Content" ADD COLUMN     "posterWidths" INTEGER[] DEFAULT ARRAY[]::INTEGER[];

