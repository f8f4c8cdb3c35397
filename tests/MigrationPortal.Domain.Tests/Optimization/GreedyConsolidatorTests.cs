using MigrationPortal.Domain.Optimization;

namespace MigrationPortal.Domain.Tests.Optimization;

public class GreedyConsolidatorTests
{
    private static readonly OptimizerSettings Settings = new() { MaxMoves = 1000 };

    [Fact]
    public void Plan_FreesTwoOfFourHostsWithFourMoves_WhenEachHostIsAt40Percent()
    {
        // 8 VMs of 20 % each: two hosts hold them (5 fit on one host), so at most two hosts can be freed, with 4 moves.
        var problem = new ClusterBuilder().Host("a").Host("b").Host("c").Host("d")
            .Vms("a", 2, 2000, 2000).Vms("b", 2, 2000, 2000).Vms("c", 2, 2000, 2000).Vms("d", 2, 2000, 2000).Build();

        var plan = GreedyConsolidator.Plan(problem, Settings);

        Assert.Equal(2, plan.HostsFreed);
        Assert.Equal(4, plan.MovedVms);
        Assert.True(plan.InSafeOrder);
        Assert.Empty(PlanChecker.Violations(problem, plan));
        Assert.Equal(2, plan.Hosts.Count(h => h.Freed && h.VmsAfter == 0));
    }

    [Fact]
    public void Plan_FreesOnlyOneHost_WhenHeadroomLeavesRoomForThreeVmsPerHost()
    {
        var problem = new ClusterBuilder().Host("a").Host("b").Host("c").Host("d")
            .Vms("a", 2, 2000, 2000).Vms("b", 2, 2000, 2000).Vms("c", 2, 2000, 2000).Vms("d", 2, 2000, 2000)
            .Headroom("c1", 30, 30).Build();

        var plan = GreedyConsolidator.Plan(problem, Settings);

        Assert.Equal(1, plan.HostsFreed);
        Assert.Equal(2, plan.MovedVms);
        Assert.All(plan.Hosts, h => Assert.True(h.CpuAfter <= 0.7 + 1e-9 && h.MemoryAfter <= 0.7 + 1e-9));
    }

    [Fact]
    public void Plan_NeverFillsAHostInMaintenance_WhenItIsEmpty()
    {
        var problem = new ClusterBuilder().Host("a").Host("b").Host("maint", usable: false).Vms("a", 2).Vms("b", 2).Build();

        var plan = GreedyConsolidator.Plan(problem, Settings);

        Assert.Equal(1, plan.HostsFreed);
        Assert.DoesNotContain(plan.Moves, m => m.ToHostId == "maint");
    }

    [Fact]
    public void Plan_FreesNoHost_WhenReplicasMustStayApart()
    {
        var problem = new ClusterBuilder().Host("a").Host("b").Vm("web1", "a").Vm("web2", "b")
            .Rule(PlacementRule.KeepApart("web", ["web1", "web2"])).Build();

        var plan = GreedyConsolidator.Plan(problem, Settings);

        Assert.Equal(0, plan.HostsFreed);
        Assert.Empty(plan.Moves);
        Assert.Contains(plan.Notes, n => n.Contains("keep-apart"));
    }

    [Fact]
    public void Plan_FreesOnlyTheHostWithoutPinnedVms_WhenAPinnedVmHoldsTheOther()
    {
        var problem = new ClusterBuilder().Host("a").Host("b").Vms("a", 2).Vm("busy", "b", movable: false).Build();

        var plan = GreedyConsolidator.Plan(problem, Settings);

        Assert.Equal(1, plan.HostsFreed);
        Assert.Equal("a", plan.Hosts.Single(h => h.Freed).HostId);
    }

    [Fact]
    public void Plan_EstimatesPowerAndMoney_WhenHostsAreFreed()
    {
        var problem = new ClusterBuilder().Host("a").Host("b").Host("c").Vms("a", 1).Vms("b", 1).Vms("c", 1).Build();

        var plan = GreedyConsolidator.Plan(problem, Settings with { WattsPerHost = 400, PricePerKwh = 0.5 });

        Assert.Equal(2, plan.HostsFreed);
        Assert.Equal(800, plan.Savings.Watts);
        Assert.Equal(800 * 730 / 1000.0, plan.Savings.KwhPerMonth, 6);
        Assert.Equal(800 * 730 / 1000.0 * 0.5, plan.Savings.CostPerMonth, 6);
    }

    [Fact]
    public void Plan_UsesTheHostsOwnWatts_WhenGiven()
    {
        var hosts = new[]
        {
            new PlacementHost("a", "c1", 10_000, 10_000, true, new HashSet<string> { "ds1" }, new HashSet<string> { "net1" }, Watts: 900),
            new PlacementHost("b", "c1", 10_000, 10_000, true, new HashSet<string> { "ds1" }, new HashSet<string> { "net1" }, Watts: 900),
        };
        var vms = new[] { new PlacementVm("v1", "a", 100, 100, ["ds1"], ["net1"]), new PlacementVm("v2", "b", 100, 100, ["ds1"], ["net1"]) };

        var plan = GreedyConsolidator.Plan(new PlacementProblem(hosts, vms), Settings);

        Assert.Equal(900, plan.Savings.Watts);
    }

    [Fact]
    public void Plan_SaysWhy_WhenNoHostHasRoom()
    {
        var problem = new ClusterBuilder().Host("a").Host("b").Vms("a", 6).Vms("b", 6).Build();

        var plan = GreedyConsolidator.Plan(problem, Settings);

        Assert.Empty(plan.Moves);
        Assert.Contains(plan.Notes, n => n.Contains("capacity"));
    }
}
