using MigrationPortal.Domain.Optimization;

namespace MigrationPortal.Domain.Tests.Optimization;

public class BalancePlannerTests
{
    private static readonly OptimizerSettings Settings = new();

    [Fact]
    public void Plan_MovesExactlyOneVmFromTheBusiestToTheIdlestHost_WhenOneOfThreeHostsIsOverloaded()
    {
        var problem = new ClusterBuilder().Host("a").Host("b").Host("c").Vms("a", 3).Vms("b", 1).Vms("c", 2).Build();

        var plan = BalancePlanner.Plan(problem, Settings);

        var move = Assert.Single(plan.Moves);
        Assert.Equal(("a", "b"), (move.FromHostId, move.ToHostId));
        Assert.Equal(0, plan.ImbalanceAfter, 6);
        Assert.True(plan.ImbalanceBefore > 0.3);
        Assert.Empty(PlanChecker.Violations(problem, plan));
        Assert.Contains("imbalance", move.Reason);
    }

    [Fact]
    public void Plan_RecommendsNothing_WhenImbalanceIsUnderTheThreshold()
    {
        var problem = new ClusterBuilder().Host("a").Host("b").Vms("a", 10).Vms("b", 11).Build();

        var plan = BalancePlanner.Plan(problem, Settings);

        Assert.Empty(plan.Moves);
        Assert.Contains(plan.Notes, n => n.Contains("already under the target"));
    }

    [Fact]
    public void Plan_RecommendsNothing_WhenThresholdLevelIsOne()
    {
        var problem = new ClusterBuilder().Host("a").Host("b").Vms("a", 6).Build();

        var plan = BalancePlanner.Plan(problem, Settings with { ThresholdLevel = 1 });

        Assert.Empty(plan.Moves);
    }

    [Fact]
    public void Plan_MovesTheOnlyVmNotInTheKeepApartRule_WhenTheObviousMoveWouldJoinReplicas()
    {
        var problem = new ClusterBuilder().Host("a").Host("b").Host("c")
            .Vm("web1", "a").Vm("web2", "a").Vm("batch", "a").Vm("web3", "b").Vms("c", 2)
            .Rule(PlacementRule.KeepApart("web", ["web1", "web2", "web3"]))
            .Build();

        var plan = BalancePlanner.Plan(problem, Settings);

        var move = Assert.Single(plan.Moves);
        Assert.Equal(("batch", "b"), (move.VmId, move.ToHostId));
        Assert.Empty(PlanChecker.Violations(problem, plan));
    }

    [Fact]
    public void Plan_SaysKeepApartBlocks_WhenEveryMoveWouldJoinReplicas()
    {
        var problem = new ClusterBuilder().Host("a").Host("b")
            .Vm("web1", "a").Vm("web2", "a").Vm("web3", "b")
            .Rule(PlacementRule.KeepApart("web", ["web1", "web2", "web3"]))
            .Build();

        var plan = BalancePlanner.Plan(problem, Settings);

        Assert.Empty(plan.Moves);
        Assert.Contains(plan.Notes, n => n.Contains("keep-apart"));
    }

    [Fact]
    public void Plan_NeverTargetsAHostInMaintenance_WhenItIsTheEmptiestHost()
    {
        var problem = new ClusterBuilder().Host("a").Host("maint", usable: false).Host("c").Vms("a", 4).Build();

        var plan = BalancePlanner.Plan(problem, Settings);

        Assert.Equal(2, plan.Moves.Count);
        Assert.All(plan.Moves, m => Assert.Equal("c", m.ToHostId));
        Assert.Equal(0, plan.Hosts.Single(h => h.HostId == "maint").VmsAfter);
    }

    [Fact]
    public void Plan_KeepsVmsInTheirHostGroup_WhenAMustRuleExcludesTheEmptiestHost()
    {
        var problem = new ClusterBuilder().Host("a").Host("b").Host("c").Vm("lic1", "a").Vm("lic2", "a").Vms("c", 1)
            .Rule(PlacementRule.RunOnHostGroup("licensed", ["lic1", "lic2"], new HashSet<string> { "a", "c" }, RuleStrength.Must))
            .Build();

        var plan = BalancePlanner.Plan(problem, Settings);

        Assert.DoesNotContain(plan.Moves, m => m.ToHostId == "b");
        Assert.Empty(PlanChecker.Violations(problem, plan));
        Assert.Contains(plan.Notes, n => n.Contains("still above the target"));
    }

    [Fact]
    public void Plan_NeverBreaksAShouldRule_WhenBreakingItWouldBalanceBetter()
    {
        var problem = new ClusterBuilder().Host("a").Host("b").Vm("app1", "a").Vm("app2", "a")
            .Rule(PlacementRule.RunOnHostGroup("prefer-a", ["app1", "app2"], new HashSet<string> { "a" }, RuleStrength.Should))
            .Build();

        var plan = BalancePlanner.Plan(problem, Settings);

        Assert.Empty(plan.Moves);
    }

    [Fact]
    public void Plan_LeavesTheBigVm_WhenHeadroomLeavesNoRoomForItOnTheIdleHost()
    {
        ClusterBuilder Build() => new ClusterBuilder().Host("a").Host("b").Host("c")
            .Vm("big", "a", cpu: 3000, memory: 3000).Vm("s1", "a").Vm("s2", "a").Vms("c", 2);

        var plan = BalancePlanner.Plan(Build().Headroom("c1", 75, 75).Build(), Settings);
        var free = BalancePlanner.Plan(Build().Build(), Settings);

        Assert.NotEmpty(plan.Moves);
        Assert.DoesNotContain(plan.Moves, m => m.VmId == "big");
        Assert.Equal("big", free.Moves[0].VmId);
    }

    [Fact]
    public void Plan_KeepsMovesInsideTheirCluster_WhenAnotherClusterIsIdle()
    {
        var problem = new ClusterBuilder().Host("a1", group: "x").Host("a2", group: "x").Host("b1", group: "y").Host("b2", group: "y")
            .Vms("a1", 4).Vms("b1", 1).Vms("b2", 1).Build();

        var plan = BalancePlanner.Plan(problem, Settings);

        Assert.Equal(2, plan.Moves.Count);
        Assert.All(plan.Moves, m => Assert.Equal("a2", m.ToHostId));
        Assert.Empty(PlanChecker.Violations(problem, plan));
    }

    [Fact]
    public void Plan_NeverPicksAHostWithoutTheVmsDatastore_WhenItIsIdle()
    {
        var problem = new ClusterBuilder().Host("a").Host("local-only", datastores: ["local"]).Host("c")
            .Vms("a", 3).Vms("c", 1).Build();

        var plan = BalancePlanner.Plan(problem, Settings);

        Assert.NotEmpty(plan.Moves);
        Assert.DoesNotContain(plan.Moves, m => m.ToHostId == "local-only");
    }

    [Fact]
    public void Plan_StopsAtTheMoveLimit_WhenMoreMovesWouldHelp()
    {
        var problem = new ClusterBuilder().Host("a").Host("b").Host("c").Host("d").Vms("a", 8).Build();

        var plan = BalancePlanner.Plan(problem, Settings with { MaxMoves = 2 });

        Assert.Equal(2, plan.Moves.Count);
        Assert.Contains(plan.Notes, n => n.Contains("limit of 2 moves"));
    }

    [Fact]
    public void Plan_MovesAKeepTogetherPairAsOne_WhenItIsTheBestMove()
    {
        var problem = new ClusterBuilder().Host("a").Host("b").Vm("db", "a").Vm("app", "a").Vms("a", 2)
            .Rule(PlacementRule.KeepTogether("pair", ["db", "app"])).Build();

        var plan = BalancePlanner.Plan(problem, Settings with { MaxMoves = 10 });

        Assert.Empty(PlanChecker.Violations(problem, plan));
        Assert.Equal(plan.Moves.Any(m => m.VmId == "db"), plan.Moves.Any(m => m.VmId == "app"));
        Assert.Equal(0, plan.ImbalanceAfter, 6);
    }

    [Fact]
    public void Plan_EstimatesDurationFromMemory_WhenAMoveIsPlanned()
    {
        var problem = new ClusterBuilder().Host("a").Host("b").Vm("v1", "a", memory: 6144).Vm("v2", "a", memory: 6144).Build();

        var plan = BalancePlanner.Plan(problem, Settings with { MigrationGigabytesPerMinute = 6, MoveOverhead = TimeSpan.FromSeconds(30) });

        var move = Assert.Single(plan.Moves);
        Assert.Equal(TimeSpan.FromSeconds(90), move.EstimatedDuration);
        var before = plan.Hosts.Single(h => h.HostId == "a");
        Assert.Equal((0.2, 1.2288), (before.CpuBefore, before.MemoryBefore));
    }
}
