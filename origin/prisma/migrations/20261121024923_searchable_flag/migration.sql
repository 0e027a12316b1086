-- AlterTable
ALTER TABLE "Content" ADD COLUMN     "searchable" BOOLEAN NOT NULL DEFAULT false;

-- CreateIndex
CREATE INDEX "Content_searchable_popularity_idx" ON "Content"("searchable", "popularity" DESC);

-- CreateIndex
CREATE INDEX "Content_searchable_publishedAt_idx" ON "Content"("searchable", "publishedAt" DESC);


-- "searchable" is kept by the search trigger (not expressible in schema.prisma): public content that
-- viewers may see. The trigger now also fires when status or visibility change.
CREATE OR REPLACE FUNCTION content_search_vector_update() RETURNS trigger AS $$
BEGIN
  NEW."searchVector" :=
    setweight(to_tsvector('english', coalesce(NEW."title", '')), 'A') ||
    setweight(to_tsvector('english', coalesce(array_to_string(NEW."tags", ' '), '')), 'B') ||
    setweight(to_tsvector('english', coalesce(NEW."genre", '')), 'B') ||
    setweight(to_tsvector('english', coalesce(NEW."placeName", '')), 'C') ||
    setweight(to_tsvector('english', coalesce(NEW."description", '')), 'D');
  NEW."searchable" := NEW."visibility" = 'public' AND NEW."status" IN ('ready', 'live', 'ended');
  RETURN NEW;
END
$$ LANGUAGE plpgsql;

DROP TRIGGER content_search_vector ON "Content";
CREATE TRIGGER content_search_vector
  BEFORE INSERT OR UPDATE OF "title", "tags", "genre", "placeName", "description", "status", "visibility" ON "Content"
  FOR EACH ROW EXECUTE FUNCTION content_search_vector_update();

UPDATE "Content" SET "searchable" = ("visibility" = 'public' AND "status" IN ('ready', 'live', 'ended'));
