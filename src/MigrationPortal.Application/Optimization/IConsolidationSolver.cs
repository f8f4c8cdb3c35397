using MigrationPortal.Domain.Optimization;

namespace MigrationPortal.Application.Optimization;

/// <summary>Packs one cluster's VMs onto as few hosts as possible (then with as few moves as possible) within the limits.</summary>
public interface IConsolidationSolver
{
    /// <summary>Solves <paramref name="cluster"/>, starting from <paramref name="warmStart"/> (a local host per unit, a feasible
    /// answer), and gives up searching after <paramref name="timeLimit"/>.</summary>
    PackingSolution Solve(PackingCluster cluster, IReadOnlyList<int> warmStart, TimeSpan timeLimit, CancellationToken cancellationToken);
}

/// <summary>The solver's answer: a local host per unit (null when it found none), how it ended ("Optimal", "Feasible",
/// "Unknown"...), and the most hosts any answer could free (its proven bound), when it has one.</summary>
public sealed record PackingSolution(IReadOnlyList<int>? Assignment, string Status, int? BoundHostsFreed);
