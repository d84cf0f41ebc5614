-- CreateTable
CREATE TABLE "auth_job_states" (
    "name" TEXT NOT NULL,
    "cursorAt" TIMESTAMPTZ(3),
    "cursorId" TEXT,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "auth_job_states_pkey" PRIMARY KEY ("name")
);
