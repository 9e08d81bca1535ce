"""Deploy-time code: what CloudFormation asks of the stack while it deploys it
(docs/explanation/deploy-time-repointing.md)."""
