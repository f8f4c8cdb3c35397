using MigrationPortal.Domain.Optimization;

namespace MigrationPortal.Application.Tests.Optimization;

/// <summary>Every assignment of a tiny packing problem, checked against the same rules the solver is given (capacity on hosts
/// that receive, keep-apart sets, no host both sending and receiving, the move budget): the true best score to compare with.</summary>
internal static class BruteForce
{
    public static PackingScore Best(PackingCluster cluster)
    {
        var units = cluster.Units;
        var assignment = units.Select(u => u.Current).ToArray();
        var best = PackingModel.Score(cluster, assignment);
        void Visit(int i)
        {
            if (i == units.Count)
            {
                if (Valid(cluster, assignment))
                {
                    var score = PackingModel.Score(cluster, assignment);
                    if (score.CompareTo(best) > 0)
                        best = score;
                }
                return;
            }
            foreach (var h in units[i].Hosts)
            {
                assignment[i] = h;
                Visit(i + 1);
            }
            assignment[i] = units[i].Current;
        }
        Visit(0);
        return best;
    }

    private static bool Valid(PackingCluster cluster, int[] assignment)
    {
        var hosts = cluster.Hosts.Count;
        var sends = new bool[hosts];
        var receives = new bool[hosts];
        var cpu = new long[hosts];
        var mem = new long[hosts];
        var moved = 0;
        for (var i = 0; i < assignment.Length; i++)
        {
            var u = cluster.Units[i];
            cpu[assignment[i]] += u.Cpu;
            mem[assignment[i]] += u.Mem;
            if (assignment[i] != u.Current)
            {
                sends[u.Current] = true;
                receives[assignment[i]] = true;
                moved += u.VmCount;
            }
        }
        if (moved > cluster.MaxMovedVms)
            return false;
        for (var h = 0; h < hosts; h++)
        {
            if (sends[h] && receives[h])
                return false;
            if (receives[h] && (!cluster.Hosts[h].CanReceive || cpu[h] > cluster.Hosts[h].CpuLimit || mem[h] > cluster.Hosts[h].MemLimit))
                return false;
        }
        foreach (var set in cluster.ApartSets)
            for (var h = 0; h < hosts; h++)
                if (set.Units.Count(u => assignment[u] == h) > set.Allowed[h])
                    return false;
        return true;
    }
}
