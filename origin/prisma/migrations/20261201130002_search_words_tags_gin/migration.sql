-- CreateIndex
CREATE INDEX "Content_searchVector_tags_idx" ON "Content" USING GIN ("searchVector", "tags");

-- DropIndex
DROP INDEX "Content_tags_idx";

-- DropIndex
DROP INDEX "Content_searchVector_idx";
