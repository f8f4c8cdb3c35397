using MigrationPortal.Domain.Rules;

namespace MigrationPortal.Application.Rules;

/// <summary>What the audit records of a rule change: the rule as saved (or as it was, for a deletion), members by ID.</summary>
internal static class RuleAudit
{
    public static object Details(string change, PlacementRule rule, string connectionName) => new
    {
        change, rule.Name, connection = connectionName, kind = rule.Kind.ToString(), enforcement = rule.Enforcement.ToString(), rule.Version,
        vms = rule.Vms.Select(m => m.VmId).ToList(), hosts = rule.Hosts.Select(m => m.HostId).ToList(),
    };
}
