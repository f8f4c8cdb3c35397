using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using MigrationPortal.Application.Execution;
using MigrationPortal.Domain.Requests;
using MigrationPortal.Libvirt.Tests;

namespace MigrationPortal.Benchmarks;

/// <summary>
/// KVM/libvirt: the portal-driven live migration (request start to Succeeded, through RunMigration and the libvirt
/// connector) against `virsh migrate --live --p2p --tls --persistent --undefinesource --copy-storage-all`, the same
/// guest, the same hosts and the same flags, run alternately; then the portal again with tuned settings.
/// The lab is tests/lab/libvirt (its LIBVIRT_LAB_* exports must be set); the guest is moved back to A between runs.
/// </summary>
public static partial class LibvirtMigrationBenchmark
{
    /// <summary>One timed migration; <paramref name="Steps"/> says where a portal run's time went (its recorded steps).</summary>
    private sealed record Run(string Who, double WallSeconds, double DowntimeMs, string Steps = "");

    public static async Task RunAsync(string[] args)
    {
        var rounds = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 5;
        var lab = LibvirtLab.Current;
        var runs = new List<Run>();
        // Issue 14 §5: with telemetry on, the orchestration ratio must stay within its target; run with and without.
        using var telemetry = BenchTelemetry.FromEnvironment();
        Console.WriteLine($"KVM/libvirt live migration with storage copy, A -> B over TLS, {rounds} alternating rounds; telemetry {telemetry}");

        var tuned = new Dictionary<string, string?>();
        if (args.Length > 1)
            foreach (var setting in args.Skip(1))
                tuned[$"Libvirt:{setting.Split('=')[0]}"] = setting.Split('=', 2)[1];

        // One untimed portal run first: the first one in a process pays for JIT and EF model building, which a
        // long-running portal has paid long before; virsh is a fresh process every time and has nothing to warm.
        await lab.ResetAsync();
        var warmup = await PortalAsync(lab, "warm-up", null);
        Console.WriteLine($"  warm-up (not counted): {warmup.WallSeconds:0.00} s");

        for (var round = 0; round < rounds; round++)
        {
            // Alternate who goes first, so neither side always runs on a warmer machine.
            var order = round % 2 == 0 ? new[] { "portal", "virsh" } : ["virsh", "portal"];
            foreach (var who in order)
            {
                await lab.ResetAsync();
                var run = who == "portal" ? await PortalAsync(lab, "portal", null) : await VirshAsync(lab);
                runs.Add(run);
                Console.WriteLine($"  round {round + 1}: {run.Who,-14} {run.WallSeconds,6:0.00} s  downtime {run.DowntimeMs,5:0} ms{run.Steps}");
            }

            // The pair of this round, side by side: the medians below hide how much one pair varies on a shared machine.
            var pair = runs.TakeLast(2).ToDictionary(r => r.Who);
            Console.WriteLine($"  round {round + 1}: ratio portal / virsh = {pair["portal"].WallSeconds / pair["virsh"].WallSeconds:0.00}");

            if (tuned.Count > 0)
            {
                await lab.ResetAsync();
                var run = await PortalAsync(lab, "portal tuned", tuned);
                runs.Add(run);
                Console.WriteLine($"  round {round + 1}: {run.Who,-14} {run.WallSeconds,6:0.00} s  downtime {run.DowntimeMs,5:0} ms{run.Steps}");
            }
        }

        await lab.ResetAsync();
        Console.WriteLine();
        Console.WriteLine("| run | wall time median (min–max) | downtime median (min–max) |");
        Console.WriteLine("| --- | --- | --- |");
        foreach (var group in runs.GroupBy(r => r.Who))
            Console.WriteLine($"| {group.Key} | {Median(group.Select(r => r.WallSeconds)):0.00} s ({group.Min(r => r.WallSeconds):0.00}–{group.Max(r => r.WallSeconds):0.00}) "
                + $"| {Median(group.Select(r => r.DowntimeMs)):0} ms ({group.Min(r => r.DowntimeMs):0}–{group.Max(r => r.DowntimeMs):0}) |");
        var virsh = runs.Where(r => r.Who == "virsh").ToList();
        foreach (var group in runs.Where(r => r.Who != "virsh").GroupBy(r => r.Who))
        {
            Console.WriteLine($"{group.Key}: wall-time ratio (median / virsh median) = {Median(group.Select(r => r.WallSeconds)) / Median(virsh.Select(r => r.WallSeconds)):0.00} (target <= 1.10, telemetry {(telemetry.On ? "on" : "off")}); "
                + $"downtime ratio = {Median(group.Select(r => r.DowntimeMs)) / Median(virsh.Select(r => r.DowntimeMs)):0.00} (target <= 1.00)");
        }

        if (tuned.Count > 0) Console.WriteLine($"tuned settings: {string.Join(", ", tuned.Select(t => $"{t.Key}={t.Value}"))}");
        if (telemetry.On)
        {
            // What "on" recorded over the whole run (warm-up, timed and tuned portal runs, and the resets' virsh calls, which record nothing).
            var portalRuns = runs.Count(r => r.Who != "virsh") + 1;
            Console.WriteLine($"spans exported over {portalRuns} portal runs: {string.Join(", ", telemetry.FlushAndCountSpans().OrderBy(c => c.Key).Select(c => $"{c.Key} {c.Value}"))}");
        }
    }

    private static async Task<Run> PortalAsync(LibvirtLab lab, string who, IDictionary<string, string?>? settings)
    {
        var file = Path.Combine(Path.GetTempPath(), $"mp-bench-libvirt-{Guid.NewGuid():N}.db");
        try
        {
            await using var portal = await LabPortal.StartAsync(file, settings);
            var connection = await portal.AddLabConnectionAsync(lab);
            var vm = await portal.GuestAsync(lab);
            var request = await portal.SubmitAsync(vm.Id, MigrationKind.ComputeAndStorage, lab.BUri, $"{lab.BUri}#images");
            await portal.Scoped<DispatchDueRequests>(d => d.HandleAsync());
            var clock = Stopwatch.StartNew();
            await portal.Scoped<RunMigration>(r => r.HandleAsync(request.Id));
            clock.Stop();
            var stored = await portal.RequestAsync(request.Id);
            if (stored.State != RequestState.Succeeded) throw new InvalidOperationException($"The portal's migration ended {stored.State}: {stored.FailureReason}");
            var steps = string.Join(", ", stored.Steps.Where(s => s.StartedAt is not null && s.EndedAt is not null)
                .Select(s => $"{s.Name} {(s.EndedAt!.Value - s.StartedAt!.Value).TotalMilliseconds:0}"));
            return new Run(who, clock.Elapsed.TotalSeconds, stored.DowntimeMs ?? double.NaN, $"  (ms: {steps})");
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            foreach (var f in new[] { file, file + "-wal", file + "-shm" }) File.Delete(f);
        }
    }

    private static async Task<Run> VirshAsync(LibvirtLab lab)
    {
        var clock = Stopwatch.StartNew();
        await lab.VirshAsync(lab.AUri, "migrate", "--live", "--p2p", "--tls", "--persistent", "--undefinesource", "--copy-storage-all", lab.Guest, "qemu+tls://lab-b/system");
        clock.Stop();
        var info = await lab.VirshAsync(lab.BUri, "domjobinfo", lab.Guest, "--completed");
        var downtime = Downtime().Match(info);
        return new Run("virsh", clock.Elapsed.TotalSeconds, downtime.Success ? double.Parse(downtime.Groups[1].Value, CultureInfo.InvariantCulture) : double.NaN);
    }

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count == 0 ? double.NaN : sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;
    }

    [GeneratedRegex(@"Total downtime:\s+(\d+)")]
    private static partial Regex Downtime();
}
