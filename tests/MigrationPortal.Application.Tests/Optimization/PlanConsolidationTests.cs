using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using MigrationPortal.Application.Optimization;
using MigrationPortal.Domain.Optimization;
using MigrationPortal.Domain.Tests.Optimization;
using MigrationPortal.Infrastructure.Optimization;

namespace MigrationPortal.Application.Tests.Optimization;

/// <summary>Consolidation with the CP-SAT solver (OR-Tools, native library loaded on this machine): known answers, the solver
/// against the greedy plan and against brute force on small clusters, and the guard against a solver answer that does not hold.</summary>
public class PlanConsolidationTests
{
    private static readonly OptimizerSettings Settings = new() { MaxMoves = 1000, SolverTimeLimit = TimeSpan.FromSeconds(5) };

    private static PlanConsolidation Planner(IConsolidationSolver? solver = null) => new(solver ?? new CpSatConsolidationSolver(), TimeProvider.System);

    [Fact]
    public void Plan_FreesTwoOfFourHostsWithFourMovesAndProvesIt_WhenEachHostIsAt40Percent()
    {
        var problem = new ClusterBuilder().Host("a").Host("b").Host("c").Host("d")
            .Vms("a", 2, 2000, 2000).Vms("b", 2, 2000, 2000).Vms("c", 2, 2000, 2000).Vms("d", 2, 2000, 2000).Build();

        var plan = Planner().Plan(problem, Settings);

        Assert.Equal(2, plan.HostsFreed);
        Assert.Equal(4, plan.MovedVms);
        Assert.Equal("Optimal", plan.Solver!.Status);
        Assert.Equal(2, plan.Solver.BoundHostsFreed);
        Assert.Equal(0, plan.Solver.Gap);
        Assert.Empty(PlanChecker.Violations(problem, plan));
    }

    [Fact]
    public void Plan_FreesOneHost_WhenHeadroomLeavesRoomForThreeVmsPerHost()
    {
        var problem = new ClusterBuilder().Host("a").Host("b").Host("c").Host("d")
            .Vms("a", 2, 2000, 2000).Vms("b", 2, 2000, 2000).Vms("c", 2, 2000, 2000).Vms("d", 2, 2000, 2000)
            .Headroom("c1", 30, 30).Build();

        var plan = Planner().Plan(problem, Settings);

        Assert.Equal((1, 2), (plan.HostsFreed, plan.MovedVms));
        Assert.Equal(1, plan.Solver!.BoundHostsFreed);
    }

    [Fact]
    public void Plan_PairsEachSixWithAFour_WhenThatFreesTwoHosts()
    {
        var problem = new ClusterBuilder().Host("a").Host("b").Host("c").Host("d")
            .Vm("six1", "a", 6000, 6000).Vm("six2", "b", 6000, 6000).Vm("four1", "c", 4000, 4000).Vm("four2", "d", 4000, 4000).Build();

        var plan = Planner().Plan(problem, Settings);

        Assert.Equal((2, 2), (plan.HostsFreed, plan.MovedVms));
        Assert.All(plan.Moves, m => Assert.StartsWith("four", m.VmId));
        Assert.Equal(0, plan.Solver!.Gap);
    }

    // Greedy empties b onto c first (web2 may not join web1 on a); then a cannot be emptied, 1 host freed of a volume bound of 2.
    private static PlacementProblem KeepApartTrap() => new ClusterBuilder().Host("a").Host("b").Host("c")
        .Vm("web1", "a").Vms("a", 5).Vm("web2", "b").Vms("c", 1)
        .Rule(PlacementRule.KeepApart("web", ["web1", "web2"])).Build();

    [Fact]
    public void Plan_KeepsTheGreedyPlan_WhenTheSolverAnswerBreaksAKeepApartRule()
    {
        var problem = KeepApartTrap();
        var greedy = GreedyConsolidator.Plan(problem, Settings);

        var plan = Planner(new EverythingOnTheFirstHost()).Plan(problem, Settings);

        Assert.Empty(PlanChecker.Violations(problem, plan));
        Assert.Equal((greedy.HostsFreed, greedy.MovedVms), (plan.HostsFreed, plan.MovedVms));
        Assert.Equal(1, plan.HostsFreed);
    }

    [Fact]
    public void Plan_KeepsTheGreedyPlanAndSaysSo_WhenTheSolverFindsNothing()
    {
        var plan = Planner(new NoAnswer()).Plan(KeepApartTrap(), Settings);

        Assert.Equal(1, plan.HostsFreed);
        Assert.Contains("Unknown", plan.Solver!.ClusterStatuses.Single());
        Assert.Equal(1, plan.Solver.Gap);
    }

    [Fact]
    public void Plan_FreesTheHostTheGreedyCannot_WhenKeepApartTrapsTheGreedyOrder()
    {
        var problem = KeepApartTrap();

        var plan = Planner().Plan(problem, Settings);

        Assert.Empty(PlanChecker.Violations(problem, plan));
        Assert.True(plan.HostsFreed >= 1);
        Assert.Equal(plan.Solver!.BoundHostsFreed, plan.HostsFreed);
    }

    [Property(Arbitrary = [typeof(RandomClusters)], MaxTest = 60)]
    public Property Plan_FreesAtLeastAsManyHostsAsGreedyAndBreaksNothing_WhenTheClusterIsRandom(ClusterSpec spec)
    {
        var problem = RandomClusters.Build(spec);
        var greedy = GreedyConsolidator.Plan(problem, Settings);
        var plan = Planner().Plan(problem, Settings);
        var violations = PlanChecker.Violations(problem, plan);
        var better = plan.HostsFreed > greedy.HostsFreed || (plan.HostsFreed == greedy.HostsFreed && plan.MovedVms <= greedy.MovedVms);
        return (better && violations.Count == 0 && plan.InSafeOrder && plan.Solver!.BoundHostsFreed >= plan.HostsFreed)
            .Label($"greedy {greedy.HostsFreed}/{greedy.MovedVms}, CP-SAT {plan.HostsFreed}/{plan.MovedVms}; {string.Join("; ", violations)}");
    }

    [Property(Arbitrary = [typeof(RandomClusters)], MaxTest = 60)]
    public Property Solve_MatchesBruteForce_WhenTheClusterIsTiny(ClusterSpec spec)
    {
        var tiny = spec with { Hosts = Math.Min(spec.Hosts, 4), Vms = Math.Min(spec.Vms, 7), Clusters = 1 };
        var state = new PlacementState(RandomClusters.Build(tiny));
        var cluster = PackingModel.Build(state, [], 1000).Single();
        var warm = cluster.Units.Select(u => u.Current).ToArray();
        var solution = new CpSatConsolidationSolver().Solve(cluster, warm, TimeSpan.FromSeconds(5), CancellationToken.None);
        var best = BruteForce.Best(cluster);
        var score = PackingModel.Score(cluster, solution.Assignment!);
        return (solution.Status == "Optimal" && score == best && solution.BoundHostsFreed == best.HostsFreed)
            .Label($"{solution.Status}: CP-SAT {score}, brute force {best}, bound {solution.BoundHostsFreed}");
    }

    private sealed class EverythingOnTheFirstHost : IConsolidationSolver
    {
        public PackingSolution Solve(PackingCluster cluster, IReadOnlyList<int> warmStart, TimeSpan timeLimit, CancellationToken cancellationToken) =>
            new(cluster.Units.Select(u => u.Hosts.Contains(0) ? 0 : u.Current).ToArray(), "Feasible", cluster.Hosts.Count);
    }

    private sealed class NoAnswer : IConsolidationSolver
    {
        public PackingSolution Solve(PackingCluster cluster, IReadOnlyList<int> warmStart, TimeSpan timeLimit, CancellationToken cancellationToken) =>
            new(null, "Unknown", null);
    }
}
