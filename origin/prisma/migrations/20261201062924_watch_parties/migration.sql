-- CreateTable
CREATE TABLE "WatchParty" (
    "id" TEXT NOT NULL,
    "contentId" UUID NOT NULL,
    "hostId" UUID NOT NULL,
    "playing" BOOLEAN NOT NULL DEFAULT false,
    "positionSeconds" DOUBLE PRECISION NOT NULL DEFAULT 0,
    "anchoredAt" TIMESTAMP(3) NOT NULL,
    "rate" DOUBLE PRECISION NOT NULL DEFAULT 1,
    "sceneId" TEXT,
    "revision" INTEGER NOT NULL DEFAULT 0,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expiresAt" TIMESTAMP(3) NOT NULL,
    "endedAt" TIMESTAMP(3),

    CONSTRAINT "WatchParty_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "WatchPartyMember" (
    "partyId" TEXT NOT NULL,
    "userId" UUID NOT NULL,
    "joinedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "WatchPartyMember_pkey" PRIMARY KEY ("partyId","userId")
);

-- CreateIndex
CREATE INDEX "WatchParty_hostId_endedAt_idx" ON "WatchParty"("hostId", "endedAt");

-- CreateIndex
CREATE INDEX "WatchPartyMember_userId_idx" ON "WatchPartyMember"("userId");

-- AddForeignKey
ALTER TABLE "WatchParty" ADD CONSTRAINT "WatchParty_contentId_fkey" FOREIGN KEY ("contentId") REFERENCES "Content"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "WatchParty" ADD CONSTRAINT "WatchParty_hostId_fkey" FOREIGN KEY ("hostId") REFERENCES "User"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "WatchPartyMember" ADD CONSTRAINT "WatchPartyMember_partyId_fkey" FOREIGN KEY ("partyId") REFERENCES "WatchParty"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "WatchPartyMember" ADD CONSTRAINT "WatchPartyMember_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User"("id") ON DELETE CASCADE ON UPDATE CASCADE;

