using MigrationPortal.Application.Authorization;
using MigrationPortal.Domain.Rules;

namespace MigrationPortal.Application.Rules;

/// <summary>Who may read and change placement rules and headroom, and the words they share, so each lives once.</summary>
public static class RuleAccess
{
    /// <summary>Administrators and Operators define the rules: they place VMs and empty hosts.</summary>
    public static readonly string[] WriteRoles = [Roles.Administrator, Roles.Operator];

    /// <summary>
    /// Approvers weigh a rule's findings and requesters meet them in the wizard, so both read the rules; Auditors read everything.
    /// A requester sees only rules holding one of their own VMs, and other applications' VMs without names.
    /// </summary>
    public static readonly string[] ReadRoles = [Roles.Administrator, Roles.Operator, Roles.Approver, Roles.Requester, Roles.Auditor];

    /// <summary>Use-case limit: members per rule, so one request cannot make the database check thousands of IDs.</summary>
    public const int MaxMembers = 500;

    public static bool MayChange(PortalUser user) => user.IsInAny(WriteRoles);

    public static bool MayRead(PortalUser user) => user.IsInAny(ReadRoles);

    public static string ClusterDisplayName(string clusterName, string connectionName) =>
        clusterName == ClusterHeadroom.WholeConnection ? $"{connectionName} (hosts without a cluster)" : clusterName;

    public static string Describe(PlacementRuleKind kind) => kind switch
    {
        PlacementRuleKind.KeepApart => "keep apart",
        PlacementRuleKind.KeepTogether => "keep together",
        PlacementRuleKind.RunOnHostGroup => "run on host group",
        _ => kind.ToString(),
    };

    public static string Describe(RuleEnforcement enforcement) => enforcement == RuleEnforcement.Must ? "must" : "should";
}
