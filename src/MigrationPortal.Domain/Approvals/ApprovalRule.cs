using MigrationPortal.Domain.Common;
using MigrationPortal.Domain.Requests;

namespace MigrationPortal.Domain.Approvals;

public enum ApprovalOutcome
{
    AutoApprove,
    RequireApprovals,
}

/// <summary>
/// One line of the administrator's ordered approval policy. Every criterion that is set must match; an unset criterion matches anything.
/// </summary>
public sealed class ApprovalRule
{
    private ApprovalRule() { }

    public ApprovalRule(string name, int order, ApprovalOutcome outcome, int requiredApprovals = 1, string? approverGroup = null)
    {
        Id = Guid.NewGuid();
        Name = name;
        Order = order;
        SetOutcome(outcome, requiredApprovals, approverGroup);
    }

    public Guid Id { get; private set; }
    public string Name { get; private set; } = "";
    public int Order { get; set; }

    public Guid? ApplicationId { get; set; }
    public string? Environment { get; set; }
    public string? Criticality { get; set; }
    public MigrationKind? Kind { get; set; }
    public Guid? TargetConnectionId { get; set; }

    public ApprovalOutcome Outcome { get; private set; }
    public int RequiredApprovals { get; private set; }

    /// <summary>Name of the approver group whose members may decide; null means any Approver.</summary>
    public string? ApproverGroup { get; private set; }

    public void SetOutcome(ApprovalOutcome outcome, int requiredApprovals, string? approverGroup)
    {
        if (outcome == ApprovalOutcome.RequireApprovals && requiredApprovals is < 1 or > 2)
            throw new DomainException("A rule requires 1 or 2 approvals.");
        Outcome = outcome;
        RequiredApprovals = outcome == ApprovalOutcome.AutoApprove ? 0 : requiredApprovals;
        ApproverGroup = string.IsNullOrWhiteSpace(approverGroup) ? null : approverGroup.Trim();
    }

    public bool Matches(ApprovalContext context) =>
        (ApplicationId is null || ApplicationId == context.ApplicationId)
        && (Environment is null || string.Equals(Environment, context.Environment, StringComparison.OrdinalIgnoreCase))
        && (Criticality is null || string.Equals(Criticality, context.Criticality, StringComparison.OrdinalIgnoreCase))
        && (Kind is null || Kind == context.Kind)
        && (TargetConnectionId is null || TargetConnectionId == context.TargetConnectionId);
}

/// <summary>The facts about a request that approval rules match on.</summary>
public sealed record ApprovalContext(Guid? ApplicationId, string? Environment, string? Criticality, MigrationKind Kind, Guid TargetConnectionId);
