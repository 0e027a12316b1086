-- AlterTable
ALTER TABLE "Tour" ADD COLUMN     "commentCount" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "ratingCount" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "ratingSum" INTEGER NOT NULL DEFAULT 0;

-- CreateTable
CREATE TABLE "TourRating" (
    "userId" UUID NOT NULL,
    "tourId" UUID NOT NULL,
    "score" INTEGER NOT NULL,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "TourRating_pkey" PRIMARY KEY ("userId","tourId")
);

-- CreateTable
CREATE TABLE "TourComment" (
    "id" UUID NOT NULL,
    "tourId" UUID NOT NULL,
    "authorId" UUID NOT NULL,
    "parentId" UUID,
    "body" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "editedAt" TIMESTAMP(3),
    "deletedAt" TIMESTAMP(3),

    CONSTRAINT "TourComment_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "TourRating_tourId_idx" ON "TourRating"("tourId");

-- CreateIndex
CREATE INDEX "TourComment_tourId_createdAt_idx" ON "TourComment"("tourId", "createdAt");

-- CreateIndex
CREATE INDEX "TourComment_parentId_idx" ON "TourComment"("parentId");

-- AddForeignKey
ALTER TABLE "TourRating" ADD CONSTRAINT "TourRating_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "TourRating" ADD CONSTRAINT "TourRating_tourId_fkey" FOREIGN KEY ("tourId") REFERENCES "Tour"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "TourComment" ADD CONSTRAINT "TourComment_tourId_fkey" FOREIGN KEY ("tourId") REFERENCES "Tour"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "TourComment" ADD CONSTRAINT "TourComment_authorId_fkey" FOREIGN KEY ("authorId") REFERENCES "User"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "TourComment" ADD CONSTRAINT "TourComment_parentId_fkey" FOREIGN KEY ("parentId") REFERENCES "TourComment"("id") ON DELETE CASCADE ON UPDATE CASCADE;

