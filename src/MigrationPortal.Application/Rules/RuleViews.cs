using MigrationPortal.Domain.Rules;

namespace MigrationPortal.Application.Rules;

/// <summary>A member of a rule as the list shows it: the VM or host, and where a VM runs now (null when unknown or hidden).</summary>
public sealed record RuleMemberView(Guid Id, string Name, string? HostName = null);

/// <summary>A placement rule with its connection's and members' names; <paramref name="Version"/> is sent back with an edit.</summary>
public sealed record PlacementRuleView(Guid Id, string Name, Guid ConnectionId, string ConnectionName, PlacementRuleKind Kind, RuleEnforcement Enforcement,
    IReadOnlyList<RuleMemberView> Vms, IReadOnlyList<RuleMemberView> Hosts, string UpdatedBy, DateTimeOffset UpdatedAt, int Version);

/// <summary>
/// One cluster of one connection and the headroom it keeps: 0 % and 0 % with <paramref name="Configured"/> false when none
/// was set. <paramref name="ClusterName"/> is "" for the hosts without a cluster (a KVM connection's own host group).
/// </summary>
public sealed record ClusterHeadroomView(Guid ConnectionId, string ConnectionName, string ClusterName, int HostCount, int CpuPercent, int MemoryPercent,
    bool Configured, string? UpdatedBy, DateTimeOffset? UpdatedAt)
{
    /// <summary>How the page and messages name the cluster: hosts without one are the connection's own group.</summary>
    public string DisplayName => RuleAccess.ClusterDisplayName(ClusterName, ConnectionName);
}
