using MigrationPortal.Domain.Optimization;

namespace MigrationPortal.Domain.Tests.Optimization;

/// <summary>Hand-made clusters for known-answer tests: hosts of 10,000 MHz and 10,000 MB that see ds1 and net1 unless told.</summary>
internal sealed class ClusterBuilder
{
    private readonly List<PlacementHost> _hosts = [];
    private readonly List<PlacementVm> _vms = [];
    private readonly List<PlacementRule> _rules = [];
    private readonly Dictionary<string, Headroom> _headroom = [];

    public ClusterBuilder Host(string id, string group = "c1", bool usable = true, double cpu = 10_000, double memory = 10_000,
        string[]? datastores = null, string[]? networks = null)
    {
        _hosts.Add(new PlacementHost(id, group, cpu, memory, usable, (datastores ?? ["ds1"]).ToHashSet(), (networks ?? ["net1"]).ToHashSet()));
        return this;
    }

    public ClusterBuilder Vm(string id, string host, double cpu = 1000, double memory = 1000, string datastore = "ds1", string network = "net1", bool movable = true)
    {
        _vms.Add(new PlacementVm(id, host, cpu, memory, [datastore], [network], movable, movable ? null : "in an active request"));
        return this;
    }

    public ClusterBuilder Vms(string host, int count, double cpu = 1000, double memory = 1000)
    {
        for (var i = 0; i < count; i++)
            Vm($"{host}-vm{i + 1}", host, cpu, memory);
        return this;
    }

    public ClusterBuilder Rule(PlacementRule rule)
    {
        _rules.Add(rule);
        return this;
    }

    public ClusterBuilder Headroom(string group, double cpuPercent, double memoryPercent)
    {
        _headroom[group] = new Headroom(cpuPercent, memoryPercent);
        return this;
    }

    public PlacementProblem Build() => new(_hosts, _vms, _rules, _headroom);
}
