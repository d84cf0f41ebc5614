-- CreateTable
CREATE TABLE "cloud_blob_garbage" (
    "blobId" TEXT NOT NULL,
    "releasedAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "cloud_blob_garbage_pkey" PRIMARY KEY ("blobId")
);

-- CreateIndex
CREATE INDEX "cloud_blob_garbage_releasedAt_idx" ON "cloud_blob_garbage"("releasedAt");
