using MigrationPortal.Domain.Optimization;

namespace MigrationPortal.Domain.Tests.Optimization;

public class PlacementProblemTests
{
    [Fact]
    public void Constructor_NamesTheVm_WhenItRunsOnAnUnknownHost()
    {
        var error = Assert.Throws<ArgumentException>(() => new ClusterBuilder().Host("a").Vm("v1", "nowhere").Build());
        Assert.Contains("'v1' runs on host 'nowhere'", error.Message);
    }

    [Fact]
    public void Constructor_NamesTheRule_WhenItNamesAnUnknownVm()
    {
        var error = Assert.Throws<ArgumentException>(() => new ClusterBuilder().Host("a").Vm("v1", "a").Rule(PlacementRule.KeepApart("r", ["v1", "ghost"])).Build());
        Assert.Contains("'ghost'", error.Message);
    }

    [Fact]
    public void Constructor_Throws_WhenHeadroomIsAHundredPercent()
    {
        Assert.Throws<ArgumentException>(() => new ClusterBuilder().Host("a").Headroom("c1", 100, 0).Build());
    }

    [Fact]
    public void Validate_Throws_WhenThresholdLevelIsOutOfRange()
    {
        Assert.Throws<ArgumentException>(() => BalancePlanner.Plan(new ClusterBuilder().Host("a").Build(), new OptimizerSettings { ThresholdLevel = 6 }));
    }

    [Fact]
    public void Notes_ReportAnExistingViolation_WhenReplicasAlreadyShareAHost()
    {
        var problem = new ClusterBuilder().Host("a").Host("b").Vm("web1", "a").Vm("web2", "a")
            .Rule(PlacementRule.KeepApart("web", ["web1", "web2"])).Build();

        var plan = BalancePlanner.Plan(problem, new OptimizerSettings());

        Assert.Contains(plan.Notes, n => n.Contains("keep-apart rule 'web' is broken on a"));
        Assert.Empty(PlanChecker.Violations(problem, plan));
    }
}
