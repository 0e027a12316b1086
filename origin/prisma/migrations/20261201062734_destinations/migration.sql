-- AlterTable
ALTER TABLE "User" ADD COLUMN     "interests" TEXT[] DEFAULT ARRAY[]::TEXT[];

-- CreateTable
CREATE TABLE "Destination" (
    "id" UUID NOT NULL,
    "createdById" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "country" TEXT NOT NULL,
    "latitude" DOUBLE PRECISION NOT NULL,
    "longitude" DOUBLE PRECISION NOT NULL,
    "description" TEXT NOT NULL DEFAULT '',
    "tags" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "radiusKm" DOUBLE PRECISION NOT NULL DEFAULT 25,
    "coverContentId" UUID,
    "ratingCount" INTEGER NOT NULL DEFAULT 0,
    "ratingSum" INTEGER NOT NULL DEFAULT 0,
    "commentCount" INTEGER NOT NULL DEFAULT 0,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Destination_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "DestinationContent" (
    "destinationId" UUID NOT NULL,
    "contentId" UUID NOT NULL,
    "addedById" UUID NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "DestinationContent_pkey" PRIMARY KEY ("destinationId","contentId")
);

-- CreateTable
CREATE TABLE "DestinationRating" (
    "userId" UUID NOT NULL,
    "destinationId" UUID NOT NULL,
    "score" INTEGER NOT NULL,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "DestinationRating_pkey" PRIMARY KEY ("userId","destinationId")
);

-- CreateTable
CREATE TABLE "DestinationComment" (
    "id" UUID NOT NULL,
    "destinationId" UUID NOT NULL,
    "authorId" UUID NOT NULL,
    "parentId" UUID,
    "body" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "editedAt" TIMESTAMP(3),
    "deletedAt" TIMESTAMP(3),

    CONSTRAINT "DestinationComment_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "Destination_latitude_longitude_idx" ON "Destination"("latitude", "longitude");

-- CreateIndex
CREATE INDEX "Destination_createdById_createdAt_idx" ON "Destination"("createdById", "createdAt" DESC);

-- CreateIndex
CREATE INDEX "DestinationContent_contentId_idx" ON "DestinationContent"("contentId");

-- CreateIndex
CREATE INDEX "DestinationRating_destinationId_idx" ON "DestinationRating"("destinationId");

-- CreateIndex
CREATE INDEX "DestinationComment_destinationId_createdAt_idx" ON "DestinationComment"("destinationId", "createdAt");

-- CreateIndex
CREATE INDEX "DestinationComment_parentId_idx" ON "DestinationComment"("parentId");

-- AddForeignKey
ALTER TABLE "Destination" ADD CONSTRAINT "Destination_createdById_fkey" FOREIGN KEY ("createdById") REFERENCES "User"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Destination" ADD CONSTRAINT "Destination_coverContentId_fkey" FOREIGN KEY ("coverContentId") REFERENCES "Content"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "DestinationContent" ADD CONSTRAINT "DestinationContent_destinationId_fkey" FOREIGN KEY ("destinationId") REFERENCES "Destination"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "DestinationContent" ADD CONSTRAINT "DestinationContent_contentId_fkey" FOREIGN KEY ("contentId") REFERENCES "Content"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "DestinationContent" ADD CONSTRAINT "DestinationContent_addedById_fkey" FOREIGN KEY ("addedById") REFERENCES "User"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "DestinationRating" ADD CONSTRAINT "DestinationRating_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "DestinationRating" ADD CONSTRAINT "DestinationRating_destinationId_fkey" FOREIGN KEY ("destinationId") REFERENCES "Destination"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "DestinationComment" ADD CONSTRAINT "DestinationComment_destinationId_fkey" FOREIGN KEY ("destinationId") REFERENCES "Destination"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "DestinationComment" ADD CONSTRAINT "DestinationComment_authorId_fkey" FOREIGN KEY ("authorId") REFERENCES "User"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "DestinationComment" ADD CONSTRAINT "DestinationComment_parentId_fkey" FOREIGN KEY ("parentId") REFERENCES "DestinationComment"("id") ON DELETE CASCADE ON UPDATE CASCADE;

