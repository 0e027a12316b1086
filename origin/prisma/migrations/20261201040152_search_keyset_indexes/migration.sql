-- DropIndex
DROP INDEX "Content_searchable_popularity_idx";

-- DropIndex
DROP INDEX "Content_searchable_publishedAt_idx";

-- DropIndex
DROP INDEX "Content_latitude_longitude_idx";

-- CreateIndex
CREATE INDEX "Content_searchable_popularity_id_latitude_longitude_idx" ON "Content"("searchable", "popularity" DESC, "id" DESC, "latitude", "longitude");

-- CreateIndex
CREATE INDEX "Content_searchable_publishedAt_id_idx" ON "Content"("searchable", "publishedAt" DESC, "id" DESC);

-- CreateIndex
CREATE INDEX "Content_searchable_genre_publishedAt_id_idx" ON "Content"("searchable", "genre", "publishedAt" DESC, "id" DESC);

-- CreateIndex
CREATE INDEX "Content_latitude_longitude_searchable_popularity_id_idx" ON "Content"("latitude", "longitude", "searchable", "popularity" DESC, "id");

