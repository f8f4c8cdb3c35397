using MigrationPortal.Domain.Optimization;

namespace MigrationPortal.Domain.Tests.Optimization;

public class FirstFitDecreasingPackerTests
{
    [Fact]
    public void Plan_PacksSixFiveFourThreeTwoIntoTwoHosts_WhenHostsHoldTen()
    {
        // Classic first-fit-decreasing: 6+4 on the first host, 5+3+2 on the second, the third is empty.
        var problem = new ClusterBuilder().Host("h1").Host("h2").Host("h3")
            .Vm("v6", "h3", 6000, 6000).Vm("v5", "h3", 1, 1).Vm("v4", "h2", 4000, 4000).Vm("v3", "h1", 3000, 3000).Vm("v2", "h1", 2000, 2000).Build();
        var sized = new PlacementProblem(problem.Hosts, problem.Vms.Select(v => v.Id == "v5" ? v with { CpuDemandMhz = 5000, MemoryDemandMb = 5000, HostId = "h2" } : v).ToList());

        var plan = FirstFitDecreasingPacker.Plan(sized, new OptimizerSettings { MaxMoves = 100 });

        var after = plan.Hosts.ToDictionary(h => h.HostId, h => h.VmsAfter);
        Assert.Equal(new Dictionary<string, int> { ["h1"] = 2, ["h2"] = 3, ["h3"] = 0 }, after);
        Assert.Equal(1, plan.HostsFreed);
    }

    [Fact]
    public void Plan_KeepsReplicasApart_WhenPackingFromScratch()
    {
        var problem = new ClusterBuilder().Host("a").Host("b").Host("c").Vm("web1", "a").Vm("web2", "b").Vm("web3", "c")
            .Rule(PlacementRule.KeepApart("web", ["web1", "web2", "web3"])).Build();

        var plan = FirstFitDecreasingPacker.Plan(problem, new OptimizerSettings());

        Assert.Equal(0, plan.HostsFreed);
        Assert.Empty(PlanChecker.Violations(problem, plan));
    }
}
