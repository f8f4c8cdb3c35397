using MigrationPortal.Domain.Approvals;
using MigrationPortal.Domain.Common;
using MigrationPortal.Domain.Requests;

namespace MigrationPortal.Domain.Tests.Approvals;

public class ApprovalPolicyTests
{
    private static readonly Guid Payments = Guid.NewGuid();
    private static readonly Guid Vcenter = Guid.NewGuid();

    private static ApprovalContext Context(MigrationKind kind = MigrationKind.Compute, Guid? app = null, string? env = "prod", string? crit = "high", Guid? conn = null) =>
        new(app ?? Payments, env, crit, kind, conn ?? Vcenter);

    [Fact]
    public void Evaluate_RequiresOneApprovalFromAnyone_WhenNoRuleMatches()
    {
        var result = ApprovalPolicy.Evaluate([], Context());
        Assert.Equal(ApprovalOutcome.RequireApprovals, result.Outcome);
        Assert.Equal(1, result.RequiredApprovals);
        Assert.Null(result.ApproverGroup);
    }

    [Fact]
    public void Evaluate_AutoApproves_WhenFirstMatchingRuleSaysSo()
    {
        var rules = new[] { new ApprovalRule("test env auto", 0, ApprovalOutcome.AutoApprove) { Environment = "test" } };
        Assert.True(ApprovalPolicy.Evaluate(rules, Context(env: "TEST")).IsAutoApproved);
        Assert.False(ApprovalPolicy.Evaluate(rules, Context(env: "prod")).IsAutoApproved);
    }

    [Fact]
    public void Evaluate_UsesRuleOrder_NotListOrder()
    {
        var rules = new[]
        {
            new ApprovalRule("catch-all auto", 10, ApprovalOutcome.AutoApprove),
            new ApprovalRule("critical four eyes", 1, ApprovalOutcome.RequireApprovals, 2, "cab") { Criticality = "high" },
        };
        var result = ApprovalPolicy.Evaluate(rules, Context());
        Assert.Equal(2, result.RequiredApprovals);
        Assert.Equal("cab", result.ApproverGroup);
        Assert.Contains("critical four eyes", result.Reason);
        Assert.True(ApprovalPolicy.Evaluate(rules, Context(crit: "low")).IsAutoApproved);
    }

    [Fact]
    public void Evaluate_MatchesOnEveryCriterion()
    {
        var rule = new ApprovalRule("storage on vcenter for payments", 0, ApprovalOutcome.RequireApprovals, 1, "storage-team")
        {
            ApplicationId = Payments, Kind = MigrationKind.Storage, TargetConnectionId = Vcenter, Environment = "prod", Criticality = "high",
        };
        Assert.Equal("storage-team", ApprovalPolicy.Evaluate([rule], Context(MigrationKind.Storage)).ApproverGroup);
        Assert.Null(ApprovalPolicy.Evaluate([rule], Context(MigrationKind.Compute)).ApproverGroup);
        Assert.Null(ApprovalPolicy.Evaluate([rule], Context(MigrationKind.Storage, app: Guid.NewGuid())).ApproverGroup);
        Assert.Null(ApprovalPolicy.Evaluate([rule], Context(MigrationKind.Storage, conn: Guid.NewGuid())).ApproverGroup);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(3)]
    public void Rule_Throws_WhenApprovalCountOutOfRange(int count)
    {
        Assert.Throws<DomainException>(() => new ApprovalRule("bad", 0, ApprovalOutcome.RequireApprovals, count));
    }
}
