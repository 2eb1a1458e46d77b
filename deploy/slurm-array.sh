#!/usr/bin/env bash
# A backfill as a Slurm job array: 8 tasks, one shard each, then a dependent merge job.
#   sbatch deploy/slurm-array.sh
#SBATCH --job-name=newsetl-shards
#SBATCH --array=0-7
#SBATCH --cpus-per-task=2
#SBATCH --mem=2G
set -euo pipefail
newsetl run pipelines/default.toml --input /data/corpus \
  --output "/data/shards/part-${SLURM_ARRAY_TASK_ID}" \
  --shard "${SLURM_ARRAY_TASK_ID}/${SLURM_ARRAY_TASK_COUNT}" --log-format json

# Submit the merge once, from task 0, to start when every task of the array has succeeded:
if [ "${SLURM_ARRAY_TASK_ID}" = 0 ]; then
  sbatch --dependency="afterok:${SLURM_ARRAY_JOB_ID}" --job-name=newsetl-merge \
    --wrap "newsetl merge /data/shards/part-* --output /data/out/tables"
fi
