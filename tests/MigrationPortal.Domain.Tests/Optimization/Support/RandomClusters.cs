using FsCheck;
using FsCheck.Fluent;
using MigrationPortal.Domain.Optimization;

namespace MigrationPortal.Domain.Tests.Optimization;

/// <summary>The sizes FsCheck draws (and shrinks); the problem is built from them and the seed.</summary>
public sealed record ClusterSpec(int Seed, int Hosts, int Vms, int Clusters, int Rules, int HeadroomPercent)
{
    public override string ToString() => $"seed {Seed}, {Hosts} hosts in {Clusters} clusters, {Vms} VMs, {Rules} rules, headroom {HeadroomPercent} %";
}

/// <summary>Random clusters for property tests: one or two clusters of 2-8 hosts of mixed sizes (some in maintenance, some not
/// seeing a datastore or network), up to 40 VMs placed within capacity less headroom, pinned VMs, and random keep-apart,
/// keep-together and must/should host-group rules.</summary>
public static class RandomClusters
{
    public static Arbitrary<ClusterSpec> Specs() => Arb.From(
        from seed in Gen.Choose(0, 1_000_000)
         from hosts in Gen.Choose(2, 8)
         from vms in Gen.Choose(0, 40)
         from clusters in Gen.Choose(1, 2)
         from rules in Gen.Choose(0, 5)
         from headroom in Gen.Elements(0, 0, 10, 20, 30)
         select new ClusterSpec(seed, hosts, vms, clusters, rules, headroom),
        Shrink);

    private static IEnumerable<ClusterSpec> Shrink(ClusterSpec s)
    {
        if (s.Vms > 0) yield return s with { Vms = s.Vms / 2 };
        if (s.Vms > 0) yield return s with { Vms = s.Vms - 1 };
        if (s.Rules > 0) yield return s with { Rules = s.Rules - 1 };
        if (s.Hosts > 2) yield return s with { Hosts = s.Hosts - 1 };
        if (s.Clusters > 1) yield return s with { Clusters = 1 };
        if (s.HeadroomPercent > 0) yield return s with { HeadroomPercent = 0 };
    }

    public static PlacementProblem Build(ClusterSpec spec)
    {
        var random = new Random(spec.Seed);
        var hosts = new List<PlacementHost>();
        for (var c = 0; c < spec.Clusters; c++)
            for (var i = 0; i < spec.Hosts; i++)
            {
                var size = new[] { 8000, 10000, 16000 }[random.Next(3)];
                var datastores = new HashSet<string> { "shared" };
                if (random.NextDouble() < 0.6) datastores.Add("extra");
                var networks = new HashSet<string> { "prod" };
                if (random.NextDouble() < 0.7) networks.Add("dev");
                hosts.Add(new PlacementHost($"c{c}h{i}", $"c{c}", size, size * random.Next(1, 3), random.NextDouble() > 0.1, datastores, networks));
            }
        var factor = 1 - spec.HeadroomPercent / 100.0;
        var cpu = hosts.ToDictionary(h => h.Id, _ => 0.0);
        var mem = hosts.ToDictionary(h => h.Id, _ => 0.0);
        var vms = new List<PlacementVm>();
        for (var v = 0; v < spec.Vms; v++)
        {
            var c = random.Next(1000);
            var m = random.Next(100, 6000);
            var host = hosts[random.Next(hosts.Count)];
            if (cpu[host.Id] + c > host.CpuCapacityMhz * factor || mem[host.Id] + m > host.MemoryCapacityMb * factor)
                continue;
            cpu[host.Id] += c;
            mem[host.Id] += m;
            var datastore = host.Datastores.Contains("extra") && random.NextDouble() < 0.3 ? "extra" : "shared";
            var network = host.Networks.Contains("dev") && random.NextDouble() < 0.3 ? "dev" : "prod";
            var pinned = random.NextDouble() < 0.1;
            vms.Add(new PlacementVm($"vm{v}", host.Id, c, m, [datastore], [network], !pinned, pinned ? "in an active request" : null));
        }
        var rules = new List<PlacementRule>();
        for (var r = 0; r < spec.Rules && vms.Count >= 2; r++)
        {
            var members = vms.OrderBy(_ => random.Next()).Take(random.Next(2, 4)).Select(v => v.Id).ToArray();
            switch (random.Next(3))
            {
                case 0:
                    rules.Add(PlacementRule.KeepApart($"apart{r}", members));
                    break;
                case 1:
                    rules.Add(PlacementRule.KeepTogether($"together{r}", members.Take(2).ToArray(), random.NextDouble() < 0.5 ? RuleStrength.Must : RuleStrength.Should));
                    break;
                default:
                    var group = hosts.Where(_ => random.NextDouble() < 0.6).Select(h => h.Id).ToHashSet();
                    if (group.Count > 0)
                        rules.Add(PlacementRule.RunOnHostGroup($"hosts{r}", members, group, random.NextDouble() < 0.5 ? RuleStrength.Must : RuleStrength.Should));
                    break;
            }
        }
        return new PlacementProblem(hosts, vms, rules, defaultHeadroom: new Headroom(spec.HeadroomPercent, spec.HeadroomPercent));
    }
}
