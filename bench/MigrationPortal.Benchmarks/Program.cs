using System.Diagnostics;
using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using MigrationPortal.Application;
using MigrationPortal.Application.Audit;
using MigrationPortal.Application.Authorization;
using MigrationPortal.Domain.Audit;
using MigrationPortal.Infrastructure;
using MigrationPortal.Infrastructure.Persistence;

// Audit export benchmark: does the streamed export keep memory flat, and what does it cost against a raw reader?
// Usage: dotnet run -c Release --project bench/MigrationPortal.Benchmarks -- [events=1000000]
//        dotnet run -c Release --project bench/MigrationPortal.Benchmarks -- libvirt [rounds=5] [Setting=value ...]   (KVM live migration vs virsh; bench/libvirt.sh)
//        dotnet run -c Release --project bench/MigrationPortal.Benchmarks -- v2v [rounds=3] [fixtures=1024:200,4096:1024] [m=8] [raw|vmdk]   (bench/v2v.sh)
//        dotnet run -c Release --project bench/MigrationPortal.Benchmarks -- wave [rows=1000]   (validate and submit a wave from CSV, against rows/100)
//        dotnet run -c Release --project bench/MigrationPortal.Benchmarks -- optimize [hosts=200] [vms=10000] [seed=15] [skew=0.8]   (balance and consolidation; bench/optimize.sh)
//        dotnet run -c Release --project bench/MigrationPortal.Benchmarks -- utilisation [Sqlite|PostgreSql] [vms=1000]   (utilisation history size per 1,000 VMs)
//        dotnet run -c Release --project bench/MigrationPortal.Benchmarks -- inventory [vms=10000]   (the inventory grid's queries) [provider=Sqlite|PostgreSql] [connection string]
// Figures are ratios against baselines run in this same process: memory at N events against memory at N/100 events,
// and the portal's CSV export (use case + CsvHelper) against a plain DbDataReader writing the same columns by hand.

if (args.FirstOrDefault() == "optimize")
{
    MigrationPortal.Benchmarks.OptimizeBenchmark.Run(args.Skip(1).ToArray());
    return;
}

if (args.FirstOrDefault() == "libvirt")
{
    await MigrationPortal.Benchmarks.LibvirtMigrationBenchmark.RunAsync(args.Skip(1).ToArray());
    return;
}

if (args.FirstOrDefault() == "v2v-transfer")
{
    await MigrationPortal.Benchmarks.V2vTransferBenchmark.RunAsync(args.Skip(1).ToArray());
    return;
}

if (args.FirstOrDefault() == "v2v")
{
    await MigrationPortal.Benchmarks.V2vConversionBenchmark.RunAsync(args.Skip(1).ToArray());
    return;
}

if (args.FirstOrDefault() == "wave")
{
    await WaveBenchmark.RunAsync(args.Skip(1).ToArray());
    return;
}

if (args.FirstOrDefault() == "utilisation")
{
    await UtilisationStorageBenchmark.RunAsync(args.Skip(1).ToArray());
    return;
}

if (args.FirstOrDefault() == "inventory")
{
    await InventoryGridBenchmark.RunAsync(args.Skip(1).ToArray());
    return;
}

var events = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 1_000_000;
var provider = args.Length > 1 ? Enum.Parse<DatabaseProvider>(args[1], true) : DatabaseProvider.Sqlite;
var file = Path.Combine(Path.GetTempPath(), $"mp-bench-{Guid.NewGuid():N}.db");
var connectionString = args.Length > 2 ? args[2] : $"Data Source={file}";

var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
{
    ["Database:Provider"] = provider.ToString(),
    ["Database:ConnectionString"] = connectionString,
    ["Demo:Enabled"] = "false",
}).Build();
var services = new ServiceCollection()
    .AddSingleton<IConfiguration>(configuration)
    .AddLogging(l => l.SetMinimumLevel(LogLevel.Warning))
    .AddPortalInfrastructure(configuration)
    .AddPortalUseCases()
    .AddScoped<MigrationPortal.Application.Abstractions.IMigrationJobs, NoJobs>()
    .BuildServiceProvider();
var auditor = new PortalUser("bench-auditor", "Bench Auditor", new HashSet<string> { Roles.Auditor }, new HashSet<string>());

try
{
    await using (var scope = services.CreateAsyncScope())
        await scope.ServiceProvider.GetRequiredService<DatabaseInitializer>().InitializeAsync();

    var small = Math.Max(1, events / 100);
    Console.WriteLine($"Seeding {events:N0} audit events ({provider}) through the real hash-chained save path...");
    var seed = Stopwatch.StartNew();
    await SeedAsync(small);
    var smallExport = await MeasureExportAsync(small);
    var smallBaseline = await MeasureRawReaderAsync(small);
    await SeedAsync(events - small);
    Console.WriteLine($"  seeded in {seed.Elapsed.TotalSeconds:F1} s");
    var bigExport = await MeasureExportAsync(events);
    var bigBaseline = await MeasureRawReaderAsync(events);

    Console.WriteLine();
    Console.WriteLine($"| run | events | bytes | seconds | peak managed heap MiB | peak working set MiB |");
    Console.WriteLine($"| --- | ---: | ---: | ---: | ---: | ---: |");
    foreach (var r in new[] { smallBaseline, smallExport, bigBaseline, bigExport }) Console.WriteLine(r);
    Console.WriteLine();
    Console.WriteLine($"memory flatness: peak heap at {events:N0} / at {small:N0} events (portal CSV export) = {bigExport.PeakHeapMiB / smallExport.PeakHeapMiB:F2}x");
    Console.WriteLine($"export cost: portal CSV export / raw DbDataReader at {events:N0} events = {bigExport.Seconds / bigBaseline.Seconds:F2}x time, {bigExport.PeakHeapMiB / bigBaseline.PeakHeapMiB:F2}x peak heap");
}
finally
{
    await services.DisposeAsync();
    Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
    File.Delete(file);
}

async Task SeedAsync(int count)
{
    const int batch = 20_000;
    for (var done = 0; done < count; done += batch)
    {
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PortalDbContext>();
        db.ChangeTracker.AutoDetectChangesEnabled = false;
        var at = TimeProvider.System.GetUtcNow();
        for (var i = done; i < Math.Min(count, done + batch); i++)
            AuditLog.Record(db, at, new MigrationPortal.Domain.Common.Actor($"u-{i % 50}", $"User {i % 50}"), "bench.event", "MigrationRequest", Guid.NewGuid().ToString(),
                new { step = "transfer", status = "succeeded", message = $"event {i} with some text, \"quotes\" and =formula-looking content" }, vmName: $"vm-{i % 1000:0000}");
        await db.SaveChangesAsync();
    }
}

async Task<Result> MeasureExportAsync(int count) => await MeasureAsync("portal CSV export", count, async output =>
{
    await using var scope = services.CreateAsyncScope();
    var export = scope.ServiceProvider.GetRequiredService<ExportAudit>();
    var format = await export.BeginAsync(auditor, new AuditFilter(Action: "bench.event"), "csv");
    await export.WriteAsync(format, new AuditFilter(Action: "bench.event"), output);
});

// Baseline: the same rows read with a bare DbDataReader and written as naive CSV (no quoting rules, no injection escaping).
async Task<Result> MeasureRawReaderAsync(int count) => await MeasureAsync("raw DbDataReader", count, async output =>
{
    await using var scope = services.CreateAsyncScope();
    var db = scope.ServiceProvider.GetRequiredService<PortalDbContext>();
    var connection = db.Database.GetDbConnection();
    await connection.OpenAsync();
    await using var command = connection.CreateCommand();
    command.CommandText = "SELECT \"Sequence\", \"ActorId\", \"ActorName\", \"Action\", \"EntityType\", \"EntityId\", \"VmName\", \"Details\", \"PreviousHash\", \"Hash\" FROM \"AuditEvents\" WHERE \"Action\" = 'bench.event' ORDER BY \"Sequence\"";
    await using var reader = await command.ExecuteReaderAsync();
    await using var writer = new StreamWriter(output, leaveOpen: true);
    while (await reader.ReadAsync())
    {
        for (var c = 0; c < reader.FieldCount; c++)
        {
            if (c > 0) await writer.WriteAsync(',');
            await writer.WriteAsync(reader.IsDBNull(c) ? "" : Convert.ToString(reader.GetValue(c), CultureInfo.InvariantCulture));
        }

        await writer.WriteAsync("\r\n");
    }
});

async Task<Result> MeasureAsync(string name, int count, Func<Stream, Task> run)
{
    GC.Collect(2, GCCollectionMode.Forced, true, true);
    GC.WaitForPendingFinalizers();
    var process = Process.GetCurrentProcess();
    long peakHeap = 0, peakWorkingSet = 0;
    using var sampling = new CancellationTokenSource();
    var sampler = Task.Run(async () =>
    {
        while (!sampling.IsCancellationRequested)
        {
            peakHeap = Math.Max(peakHeap, GC.GetTotalMemory(false));
            process.Refresh();
            peakWorkingSet = Math.Max(peakWorkingSet, process.WorkingSet64);
            try { await Task.Delay(20, sampling.Token); } catch (OperationCanceledException) { }
        }
    });
    var output = new CountingStream();
    var watch = Stopwatch.StartNew();
    await run(output);
    watch.Stop();
    await sampling.CancelAsync();
    await sampler;
    return new Result(name, count, output.Length, watch.Elapsed.TotalSeconds, peakHeap / 1048576.0, peakWorkingSet / 1048576.0);
}

internal sealed record Result(string Name, int Events, long Bytes, double Seconds, double PeakHeapMiB, double PeakWorkingSetMiB)
{
    public override string ToString() => $"| {Name} | {Events:N0} | {Bytes:N0} | {Seconds:F2} | {PeakHeapMiB:F1} | {PeakWorkingSetMiB:F1} |";
}

/// <summary>A sink that only counts bytes, so the benchmark measures the export and not a disk.</summary>
internal sealed class CountingStream : Stream
{
    private long _length;
    public override bool CanRead => false;
    public override bool CanSeek => false;
    public override bool CanWrite => true;
    public override long Length => _length;
    public override long Position { get => _length; set => throw new NotSupportedException(); }
    public override void Flush() { }
    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => _length += count;
    public override void Write(ReadOnlySpan<byte> buffer) => _length += buffer.Length;
    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default) { _length += buffer.Length; return ValueTask.CompletedTask; }
    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) { _length += count; return Task.CompletedTask; }
}

internal sealed class NoJobs : MigrationPortal.Application.Abstractions.IMigrationJobs
{
    public void EnqueueSync(Guid connectionId) { }

    public void EnqueueRun(Guid requestId) { }
    public void NudgeDispatcher() { }
}
