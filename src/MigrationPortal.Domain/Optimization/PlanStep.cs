namespace MigrationPortal.Domain.Optimization;

/// <summary>A strategy's decision before it becomes a plan: move this unit to that host, for this reason.</summary>
public readonly record struct PlanStep(MovableUnit Unit, int ToHost, string Reason);
