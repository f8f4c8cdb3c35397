using System.Diagnostics;
using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using MigrationPortal.Application;
using MigrationPortal.Application.Abstractions;
using MigrationPortal.Application.Utilisation;
using MigrationPortal.Domain.Utilisation;
using MigrationPortal.Infrastructure;
using MigrationPortal.Infrastructure.Persistence;
using Npgsql;

/// <summary>
/// How big is utilisation history per 1,000 VMs? Writes what the portal keeps in steady state for N VMs and N/20 hosts:
/// 8 days of 5-minute samples through the real store, one retention pass (the oldest day becomes hourly, as the job does),
/// then 22 more days of hourly samples (the rest of the 30 days), and reports the database size: the SQLite file after
/// VACUUM, or PostgreSQL's pg_total_relation_size of the samples table (rows, indexes and TOAST).
/// Usage: dotnet run -c Release --project bench/MigrationPortal.Benchmarks -- utilisation [Sqlite|PostgreSql] [vms=1000] [postgres connection string]
/// </summary>
internal static class UtilisationStorageBenchmark
{
    public static async Task RunAsync(string[] args)
    {
        var provider = args.Length > 0 ? Enum.Parse<DatabaseProvider>(args[0], true) : DatabaseProvider.Sqlite;
        var vms = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 1_000;
        var hosts = Math.Max(1, vms / 20);
        var file = Path.Combine(Path.GetTempPath(), $"mp-bench-util-{Guid.NewGuid():N}.db");
        var database = $"mp_bench_util_{Guid.NewGuid():N}";
        string connectionString;
        if (provider == DatabaseProvider.PostgreSql)
        {
            var admin = args.Length > 2 ? args[2] : Environment.GetEnvironmentVariable("MIGRATIONPORTAL_TEST_POSTGRES") ?? throw new InvalidOperationException("Give a PostgreSQL connection string.");
            await using (var c = new NpgsqlConnection(admin))
            {
                await c.OpenAsync();
                await using var create = new NpgsqlCommand($"CREATE DATABASE {database}", c);
                await create.ExecuteNonQueryAsync();
            }

            connectionString = new NpgsqlConnectionStringBuilder(admin) { Database = database }.ConnectionString;
        }
        else connectionString = $"Data Source={file}";

        var now = new DateTimeOffset(2026, 3, 31, 0, 0, 0, TimeSpan.Zero);
        var clock = new FixedClock(now);
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Database:Provider"] = provider.ToString(),
            ["Database:ConnectionString"] = connectionString,
            ["Demo:Enabled"] = "false",
        }).Build();
        await using var services = new ServiceCollection()
            .AddSingleton<IConfiguration>(configuration)
            .AddLogging(l => l.SetMinimumLevel(LogLevel.Warning))
            .AddPortalInfrastructure(configuration)
            .AddPortalUseCases()
            .AddSingleton<TimeProvider>(clock)
            .AddScoped<IMigrationJobs, NoJobs>()
            .BuildServiceProvider();
        try
        {
            await using (var scope = services.CreateAsyncScope())
                await scope.ServiceProvider.GetRequiredService<DatabaseInitializer>().InitializeAsync();
            var subjects = Enumerable.Range(0, vms + hosts).Select(_ => Guid.NewGuid()).ToArray();
            var random = new Random(15);
            var rawSlots = 8 * 24 * 12;
            var firstRaw = UtilisationSample.SlotOf(now - TimeSpan.FromDays(8), UtilisationSample.RawSeconds);
            var watch = Stopwatch.StartNew();
            long written = 0;
            // One slot of every subject per call, as the collection job writes them.
            for (var slot = 0; slot < rawSlots; slot++)
            {
                var rows = subjects.Select((s, i) => Sample(s, i < vms, firstRaw + slot * UtilisationSample.RawSeconds, UtilisationSample.RawSeconds, random)).ToList();
                await using var scope = services.CreateAsyncScope();
                written += await scope.ServiceProvider.GetRequiredService<IUtilisationStore>().AddNewAsync(rows, CancellationToken.None);
            }

            var insertSeconds = watch.Elapsed.TotalSeconds;
            watch.Restart();
            UtilisationRetention pass;
            await using (var scope = services.CreateAsyncScope())
                pass = await scope.ServiceProvider.GetRequiredService<ApplyUtilisationRetention>().HandleAsync();
            var retentionSeconds = watch.Elapsed.TotalSeconds;

            var firstHourly = UtilisationSample.SlotOf(now - TimeSpan.FromDays(30), UtilisationSample.HourlySeconds);
            for (var hour = 0; hour < 22 * 24; hour++)
            {
                var rows = subjects.Select((s, i) => Sample(s, i < vms, firstHourly + hour * UtilisationSample.HourlySeconds, UtilisationSample.HourlySeconds, random)).ToList();
                await using var scope = services.CreateAsyncScope();
                await scope.ServiceProvider.GetRequiredService<IUtilisationStore>().AddNewAsync(rows, CancellationToken.None);
            }

            await using var final = services.CreateAsyncScope();
            var db = final.ServiceProvider.GetRequiredService<PortalDbContext>();
            var raw = await db.UtilisationSamples.CountAsync(s => s.ResolutionSeconds == UtilisationSample.RawSeconds);
            var hourly = await db.UtilisationSamples.CountAsync(s => s.ResolutionSeconds == UtilisationSample.HourlySeconds);
            watch.Restart();
            var one = subjects[0];
            var week = await db.UtilisationSamples.AsNoTracking().Where(s => s.SubjectId == one && s.SlotStart >= (now - TimeSpan.FromDays(7)).ToUnixTimeSeconds()).ToListAsync();
            var queryMs = watch.Elapsed.TotalMilliseconds;
            long bytes;
            if (provider == DatabaseProvider.PostgreSql)
            {
                await db.Database.ExecuteSqlRawAsync("VACUUM ANALYZE \"UtilisationSamples\"");
                bytes = await db.Database.SqlQueryRaw<long>("SELECT pg_total_relation_size('\"UtilisationSamples\"') AS \"Value\"").SingleAsync();
            }
            else
            {
                await db.Database.ExecuteSqlRawAsync("VACUUM");
                await db.Database.ExecuteSqlRawAsync("PRAGMA wal_checkpoint(TRUNCATE)");
                bytes = new FileInfo(file).Length;
            }

            var perThousand = bytes * 1000.0 / vms;
            Console.WriteLine($"Utilisation storage, {provider}, {vms:N0} VMs + {hosts:N0} hosts ({DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, load average {File.ReadAllText("/proc/loadavg").Trim()}):");
            Console.WriteLine($"| rows 5-min | rows hourly | size MB | MB per 1,000 VMs | insert rows/s | retention pass s (folded {pass.RawDeleted:N0} into {pass.HourlyAdded:N0}) | 7-day series of one VM ms |");
            Console.WriteLine($"| {raw:N0} | {hourly:N0} | {bytes / 1048576.0:F1} | {perThousand / 1048576.0:F1} | {written / insertSeconds:N0} | {retentionSeconds:F1} | {queryMs:F1} ({week.Count} rows) |");
        }
        finally
        {
            if (provider == DatabaseProvider.PostgreSql)
            {
                NpgsqlConnection.ClearAllPools();
                var admin = args.Length > 2 ? args[2] : Environment.GetEnvironmentVariable("MIGRATIONPORTAL_TEST_POSTGRES")!;
                await using var c = new NpgsqlConnection(admin);
                await c.OpenAsync();
                await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS {database} WITH (FORCE)", c);
                await drop.ExecuteNonQueryAsync();
            }
            else
            {
                Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
                foreach (var f in new[] { file, file + "-wal", file + "-shm" }) File.Delete(f);
            }
        }
    }

    /// <summary>A plausible sample: a VM has no disk or network rates from vSphere but has them from KVM; half of them carry them.</summary>
    private static UtilisationSample Sample(Guid subject, bool vm, long slot, int resolution, Random random) => new()
    {
        SubjectId = subject, ResolutionSeconds = resolution, SlotStart = slot,
        CpuUsedMhz = (float)(random.NextDouble() * (vm ? 8_000 : 80_000)), CpuCapacityMhz = vm ? 10_400 : 83_200,
        MemoryUsedMb = random.Next(vm ? 16_384 : 262_144), MemoryCapacityMb = vm ? 16_384 : 262_144,
        CpuReadyPercent = vm ? (float)(random.NextDouble() * 5) : null,
        DiskReadBytesPerSecond = vm && (subject.GetHashCode() & 1) == 0 ? (float)(random.NextDouble() * 1e7) : null,
        DiskWriteBytesPerSecond = vm && (subject.GetHashCode() & 1) == 0 ? (float)(random.NextDouble() * 1e7) : null,
        NetworkReceiveBytesPerSecond = vm && (subject.GetHashCode() & 1) == 0 ? (float)(random.NextDouble() * 1e7) : null,
        NetworkTransmitBytesPerSecond = vm && (subject.GetHashCode() & 1) == 0 ? (float)(random.NextDouble() * 1e7) : null,
        SampleCount = (short)(resolution == UtilisationSample.HourlySeconds ? 12 : 1),
    };
}

/// <summary>The benchmark's "now": retention cuts at a fixed moment.</summary>
internal sealed class FixedClock(DateTimeOffset now) : TimeProvider
{
    public override DateTimeOffset GetUtcNow() => now;
}
