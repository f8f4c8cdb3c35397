using System.Diagnostics;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using MigrationPortal.Application.Abstractions;
using MigrationPortal.Application.Common;
using MigrationPortal.Application.Tests.Infrastructure;
using MigrationPortal.Application.Utilisation;
using MigrationPortal.Domain.Inventory;
using MigrationPortal.Domain.Utilisation;
using MigrationPortal.Infrastructure.Connectors.Demo;
using MigrationPortal.Infrastructure.Persistence;
using Xunit.Abstractions;
using static MigrationPortal.Application.Tests.Infrastructure.PortalHarness;

namespace MigrationPortal.Application.Tests.Utilisation;

/// <summary>
/// Utilisation storage, collection and retention on a real database (issue 15 §1), once per provider: the sample key keeps
/// two writers of a slot from doubling it, a connector fault lands on the connection, old samples fold into hourly ones.
/// The clock is a FakeTimeProvider, so slots and retention cut-offs are exact.
/// </summary>
public abstract class UtilisationTests(DatabaseProvider provider) : DatabaseTestBase(provider)
{
    // A Monday, 10:02 UTC: inside the 10:00 slot.
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 3, 2, 10, 2, 0, TimeSpan.Zero));
    private readonly FakeCollector _fake = new();

    protected override TimeProvider? Clock => _clock;

    protected override void ConfigureServices(IServiceCollection services)
    {
        _fake.Clock = _clock;
        services.AddKeyedScoped<IUtilisationCollector>(ConnectionKinds.Demo, (_, _) => _fake);
    }

    private Task<Guid> DemoConnectionIdAsync() => Portal.Db(db => db.Connections.Where(c => c.Endpoint == DemoWorldShape.Endpoint).Select(c => c.Id).FirstAsync());

    private Task<CollectUtilisation.Result> CollectAsync(Guid connectionId) => Portal.Scoped<CollectUtilisation, CollectUtilisation.Result>(u => u.HandleAsync(connectionId));

    [Fact]
    public async Task Collect_StoresOneSamplePerSubjectInTheSlot_MappedToInventoryRows_WhenRunTwiceInOneSlot()
    {
        var connectionId = await DemoConnectionIdAsync();
        var host = await Portal.Db(db => db.Hosts.AsNoTracking().FirstAsync(h => h.ConnectionId == connectionId && h.ExternalId == "demo-host-a1"));
        var vm = await Portal.Db(db => db.Vms.AsNoTracking().FirstAsync(v => v.ConnectionId == connectionId && v.ExternalId == "demo-vm-01"));
        _fake.Next = at => new UtilisationReading(at,
            [new HostUtilisation("demo-host-a1", 12_345, 2_000.0 * host.CpuCores, 100_000, host.MemoryMb)],
            [new VmUtilisation("demo-vm-01", "demo-host-a1", 1_500, 3_000, CpuReadyPercent: 1.5), new VmUtilisation("vm-not-synced-yet", "demo-host-a1", 10, 10)]);

        var first = await CollectAsync(connectionId);
        _fake.Next = at => new UtilisationReading(at, [new HostUtilisation("demo-host-a1", 99_999, 2_000.0 * host.CpuCores, 1, host.MemoryMb)], []);
        _clock.Advance(TimeSpan.FromMinutes(2)); // 10:04, still the 10:00 slot
        var second = await CollectAsync(connectionId);

        Assert.Equal((2, 1, 0), (first.Added, first.Unknown, second.Added));
        var samples = await Portal.Db(db => db.UtilisationSamples.AsNoTracking().ToListAsync());
        Assert.Equal(2, samples.Count);
        var slot = new DateTimeOffset(2026, 3, 2, 10, 0, 0, TimeSpan.Zero).ToUnixTimeSeconds();
        var hostSample = samples.Single(s => s.SubjectId == host.Id);
        Assert.Equal((UtilisationSample.RawSeconds, slot, 12_345f, 2_000f * host.CpuCores, 100_000, (int?)(int)host.MemoryMb),
            (hostSample.ResolutionSeconds, hostSample.SlotStart, hostSample.CpuUsedMhz, hostSample.CpuCapacityMhz, hostSample.MemoryUsedMb, hostSample.MemoryCapacityMb));
        var vmSample = samples.Single(s => s.SubjectId == vm.Id);
        // The VM's capacity is its vCPUs at its host's clock per core (2,000 MHz here).
        Assert.Equal((1_500f, 2_000f * vm.Cpus, 3_000, (int?)(int)vm.MemoryMb, (float?)1.5f),
            (vmSample.CpuUsedMhz, vmSample.CpuCapacityMhz, vmSample.MemoryUsedMb, vmSample.MemoryCapacityMb, vmSample.CpuReadyPercent));
        var connection = await Portal.FindAsync<Connection>(connectionId);
        Assert.Equal((_clock.GetUtcNow(), (string?)null), (connection!.LastUtilisationAt, connection.LastUtilisationError));
    }

    [Fact]
    public async Task AddNew_StoresEachSlotOnce_WhenTwoWritersInsertTheSameSlotsAtOnce()
    {
        var subjects = Enumerable.Range(0, 40).Select(_ => Guid.NewGuid()).ToList();
        var start = UtilisationSample.SlotOf(_clock.GetUtcNow(), UtilisationSample.RawSeconds);
        List<UtilisationSample> Samples(float cpu) => subjects.SelectMany(s => Enumerable.Range(0, 12).Select(i => new UtilisationSample
        {
            SubjectId = s, ResolutionSeconds = UtilisationSample.RawSeconds, SlotStart = start - i * UtilisationSample.RawSeconds, CpuUsedMhz = cpu, MemoryUsedMb = 1,
        })).ToList();

        await using var one = Portal.CreateScope();
        await using var two = Portal.CreateScope();
        var writers = await Task.WhenAll(
            Task.Run(() => one.ServiceProvider.GetRequiredService<IUtilisationStore>().AddNewAsync(Samples(1), CancellationToken.None)),
            Task.Run(() => two.ServiceProvider.GetRequiredService<IUtilisationStore>().AddNewAsync(Samples(2), CancellationToken.None)));

        var rows = await Portal.Db(db => db.UtilisationSamples.AsNoTracking().ToListAsync());
        Assert.Equal(480, rows.Count);
        Assert.Equal(480, writers.Sum());
        // Every slot holds one writer's whole value, never a mix or a duplicate.
        Assert.All(rows.GroupBy(r => (r.SubjectId, r.SlotStart)), g => Assert.Single(g));
    }

    [Fact]
    public async Task Collect_RecordsTheFaultOnTheConnection_WhenTheCollectorThrowsConnectorException()
    {
        var connectionId = await DemoConnectionIdAsync();
        _fake.Next = _ => throw new ConnectorException("InvalidLogin", "Cannot complete login due to an incorrect user name or password (vc.example.test).");

        var failed = await CollectAsync(connectionId);

        Assert.Equal("InvalidLogin: Cannot complete login due to an incorrect user name or password (vc.example.test).", failed.Error);
        Assert.Equal(failed.Error, (await Portal.FindAsync<Connection>(connectionId))!.LastUtilisationError);
        Assert.Equal(0, await Portal.Db(db => db.UtilisationSamples.CountAsync()));

        _fake.Next = at => new UtilisationReading(at, [new HostUtilisation("demo-host-a1", 1, 2, 3, 4)], []);
        var recovered = await CollectAsync(connectionId);
        Assert.Equal((1, (string?)null), (recovered.Added, (await Portal.FindAsync<Connection>(connectionId))!.LastUtilisationError));
    }

    [Fact]
    public async Task Collect_SkipsTheConnectionAndSaysSo_WhenItsKindHasNoCollector()
    {
        var connection = new Connection("Plug-in hypervisor", "toy-kind", "toy://one");
        await Portal.Scoped<PortalDbContext>(async db =>
        {
            db.Connections.Add(connection);
            await db.SaveChangesAsync();
        });

        var result = await CollectAsync(connection.Id);

        Assert.Contains("no utilisation collector", result.Skipped);
        Assert.Null(result.Error);
        Assert.Null((await Portal.FindAsync<Connection>(connection.Id))!.LastUtilisationError);
    }

    [Fact]
    public async Task ApplyRetention_FoldsWholeHoursOlderThanSevenDaysIntoHourlyAverages_AndDeletesHoursOlderThanThirty()
    {
        var subject = Guid.NewGuid();
        var now = _clock.GetUtcNow();
        var oldHour = UtilisationSample.SlotOf(now - TimeSpan.FromDays(8), UtilisationSample.HourlySeconds);
        var recent = UtilisationSample.SlotOf(now - TimeSpan.FromDays(1), UtilisationSample.RawSeconds);
        var expiredHour = UtilisationSample.SlotOf(now - TimeSpan.FromDays(31), UtilisationSample.HourlySeconds);
        var samples = Enumerable.Range(0, 12).Select(i => new UtilisationSample
        {
            SubjectId = subject, ResolutionSeconds = UtilisationSample.RawSeconds, SlotStart = oldHour + i * UtilisationSample.RawSeconds,
            CpuUsedMhz = i * 100, CpuCapacityMhz = 2_000, MemoryUsedMb = 1_000 + i, MemoryCapacityMb = 4_096, CpuReadyPercent = i == 0 ? 6 : null,
        }).Append(new UtilisationSample { SubjectId = subject, ResolutionSeconds = UtilisationSample.RawSeconds, SlotStart = recent, CpuUsedMhz = 7, MemoryUsedMb = 7 })
          .Append(new UtilisationSample { SubjectId = subject, ResolutionSeconds = UtilisationSample.HourlySeconds, SlotStart = expiredHour, CpuUsedMhz = 9, MemoryUsedMb = 9, SampleCount = 12 })
          .ToList();
        await Portal.Scoped<IUtilisationStore>(s => s.AddNewAsync(samples, CancellationToken.None));

        var first = await Portal.Scoped<ApplyUtilisationRetention, UtilisationRetention>(r => r.HandleAsync());
        var again = await Portal.Scoped<ApplyUtilisationRetention, UtilisationRetention>(r => r.HandleAsync());

        Assert.Equal(new UtilisationRetention(1, 12, 1), first);
        Assert.Equal(new UtilisationRetention(0, 0, 0), again);
        var rows = await Portal.Db(db => db.UtilisationSamples.AsNoTracking().OrderBy(s => s.SlotStart).ToListAsync());
        Assert.Equal(2, rows.Count);
        var hourly = rows[0];
        Assert.Equal((UtilisationSample.HourlySeconds, oldHour, (short)12, 550f, 2_000f, 1_006, (int?)4_096, (float?)6f),
            (hourly.ResolutionSeconds, hourly.SlotStart, hourly.SampleCount, hourly.CpuUsedMhz, hourly.CpuCapacityMhz, hourly.MemoryUsedMb, hourly.MemoryCapacityMb, hourly.CpuReadyPercent));
        Assert.Equal((UtilisationSample.RawSeconds, recent), (rows[1].ResolutionSeconds, rows[1].SlotStart));

        // Seven days on, the recent sample's hour is folded too, and nothing else changes.
        _clock.Advance(TimeSpan.FromDays(7));
        var later = await Portal.Scoped<ApplyUtilisationRetention, UtilisationRetention>(r => r.HandleAsync());
        Assert.Equal(new UtilisationRetention(1, 1, 0), later);
    }

    [Fact]
    public async Task ApplyRetention_FoldsEachHourOnce_WhenTwoNodesRunItAtOnce()
    {
        var oldHour = UtilisationSample.SlotOf(_clock.GetUtcNow() - TimeSpan.FromDays(9), UtilisationSample.HourlySeconds);
        var samples = Enumerable.Range(0, 30).SelectMany(_ =>
        {
            var subject = Guid.NewGuid();
            return Enumerable.Range(0, 24).Select(i => new UtilisationSample
            {
                SubjectId = subject, ResolutionSeconds = UtilisationSample.RawSeconds, SlotStart = oldHour + i * UtilisationSample.RawSeconds, CpuUsedMhz = i, MemoryUsedMb = i,
            });
        }).ToList();
        await Portal.Scoped<IUtilisationStore>(s => s.AddNewAsync(samples, CancellationToken.None));

        await using var one = Portal.CreateScope();
        await using var two = Portal.CreateScope();
        var passes = await Task.WhenAll(
            Task.Run(() => one.ServiceProvider.GetRequiredService<ApplyUtilisationRetention>().HandleAsync()),
            Task.Run(() => two.ServiceProvider.GetRequiredService<ApplyUtilisationRetention>().HandleAsync()));

        Assert.Equal(60, passes.Sum(p => p.HourlyAdded));
        Assert.Equal(720, passes.Sum(p => p.RawDeleted));
        var rows = await Portal.Db(db => db.UtilisationSamples.AsNoTracking().ToListAsync());
        Assert.Equal(60, rows.Count);
        Assert.All(rows, r => Assert.Equal((UtilisationSample.HourlySeconds, (short)12), (r.ResolutionSeconds, r.SampleCount)));
        Assert.Equal([5.5f, 17.5f], rows.Select(r => r.CpuUsedMhz).Distinct().Order().ToArray());
    }

    [Fact]
    public async Task GetUtilisationSeries_RefusesABadRangeAndAnotherApplicationsVm_AndServesTheOwner()
    {
        var connectionId = await DemoConnectionIdAsync();
        var vm = await Portal.Db(db => db.Vms.AsNoTracking().FirstAsync(v => v.ConnectionId == connectionId && db.Applications.Any(a => a.Id == v.ApplicationId && a.Name == RequesterApp)));
        var other = await Portal.Db(db => db.Vms.AsNoTracking().FirstAsync(v => v.ConnectionId == connectionId && !db.Applications.Any(a => a.Id == v.ApplicationId && a.Name == RequesterApp)));
        var host = await Portal.Db(db => db.Hosts.AsNoTracking().FirstAsync(h => h.ExternalId == vm.HostExternalId));
        _fake.Next = at => new UtilisationReading(at, [new HostUtilisation(host.ExternalId, 1_000, 10_000, 2_000, 8_000)], [new VmUtilisation(vm.ExternalId, host.ExternalId, 100, 1_024)]);
        await CollectAsync(connectionId);
        var now = _clock.GetUtcNow();

        Task<UtilisationSeries> Get(Application.Authorization.PortalUser user, UtilisationSubjectKind kind, Guid id, DateTimeOffset? from = null, DateTimeOffset? to = null) =>
            Portal.Scoped<GetUtilisationSeries, UtilisationSeries>(u => u.HandleAsync(user, kind, id, from, to));

        var bad = await Assert.ThrowsAsync<ValidationFailedException>(() => Get(Operator, UtilisationSubjectKind.Vm, vm.Id, now, now.AddHours(-1)));
        Assert.Contains("from", bad.Errors.Keys);
        await Assert.ThrowsAsync<ValidationFailedException>(() => Get(Operator, UtilisationSubjectKind.Vm, vm.Id, now.AddDays(-40), now));
        await Assert.ThrowsAsync<ForbiddenException>(() => Get(Requester, UtilisationSubjectKind.Vm, other.Id));
        await Assert.ThrowsAsync<ForbiddenException>(() => Get(Requester, UtilisationSubjectKind.Host, host.Id));
        await Assert.ThrowsAsync<NotFoundException>(() => Get(Operator, UtilisationSubjectKind.Host, Guid.NewGuid()));

        var own = await Get(Requester, UtilisationSubjectKind.Vm, vm.Id);
        var point = Assert.Single(own.Points);
        // 100 MHz of (10,000 MHz / host cores × vCPUs); 1,024 MB of the VM's memory.
        Assert.Equal(100.0 * 100 / (10_000.0 / host.CpuCores * vm.Cpus), point.CpuPercent!.Value, 3);
        Assert.Equal(100.0 * 1_024 / vm.MemoryMb, point.MemoryPercent!.Value, 3);
        var hostSeries = await Get(Operator, UtilisationSubjectKind.Host, host.Id);
        Assert.Equal((10.0, 25.0, true), (hostSeries.Points.Single().CpuPercent, hostSeries.Points.Single().MemoryPercent, hostSeries.IsDemo));
    }

    private sealed class FakeCollector : IUtilisationCollector
    {
        public Func<DateTimeOffset, UtilisationReading> Next { get; set; } = at => new UtilisationReading(at, [], []);

        public string Kind => ConnectionKinds.Demo;

        public Task<UtilisationReading> ReadUtilisationAsync(ConnectionInfo connection, CancellationToken ct) => Task.FromResult(Next(Clock!.GetUtcNow()));

        internal TimeProvider? Clock { get; set; }
    }
}

/// <summary>
/// The demo's own collector through the demo's start-up seeding: a fresh demo has a week of history before anyone looks (the
/// Optimize page, the VM and host charts), with its hot hosts visible; a restart, or the first collection, adds no second
/// week; a demo database that has no history (seeded before the backfill existed) gets it at its next start.
/// </summary>
public abstract class DemoUtilisationTests(DatabaseProvider provider, ITestOutputHelper output) : DatabaseTestBase(provider)
{
    // A Wednesday, 15:01 UTC: inside the 15:00 slot.
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 3, 4, 15, 1, 0, TimeSpan.Zero));
    private static readonly long CurrentSlot = new DateTimeOffset(2026, 3, 4, 15, 0, 0, TimeSpan.Zero).ToUnixTimeSeconds();
    private const int SlotsPerWeek = 7 * 24 * 12;

    protected override TimeProvider? Clock => _clock;

    // The harness turns the backfill off for the tests that do not look at load; this one is about it.
    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?> { ["Demo:BackfillUtilisation"] = "true" };

    private Task<Guid> DemoConnectionIdAsync() => Portal.Db(db => db.Connections.Where(c => c.Endpoint == DemoWorldShape.Endpoint).Select(c => c.Id).FirstAsync());

    /// <summary>The connection's raw samples: how many, and the first and last slot.</summary>
    private Task<(int Count, long First, long Last)> RawSamplesAsync(Guid connectionId) => Portal.Db(async db =>
    {
        var subjects = await db.Hosts.Where(h => h.ConnectionId == connectionId).Select(h => h.Id).ToListAsync();
        subjects.AddRange(await db.Vms.Where(v => v.ConnectionId == connectionId).Select(v => v.Id).ToListAsync());
        var raw = db.UtilisationSamples.Where(s => s.ResolutionSeconds == UtilisationSample.RawSeconds && subjects.Contains(s.SubjectId));
        var count = await raw.CountAsync();
        return count == 0 ? (0, 0L, 0L) : (count, await raw.MinAsync(s => s.SlotStart), await raw.MaxAsync(s => s.SlotStart));
    });

    private Task RestartAsync() => Portal.Scoped<DatabaseInitializer>(i => i.InitializeAsync());

    [Fact]
    public async Task Seeding_BackfillsTheWeekBeforeTheFirstCollection_WithTheHotHostsBusierThanTheOthers_AndLabelledDemo()
    {
        var connectionId = await DemoConnectionIdAsync();
        var vmCount = await Portal.Db(db => db.Vms.CountAsync(v => v.ConnectionId == connectionId && v.PowerState == PowerState.On));
        var hostCount = await Portal.Db(db => db.Hosts.CountAsync(h => h.ConnectionId == connectionId));

        // Seeded at start: every slot of the raw retention (7 days of 5-minute slots) up to the current one, for every host
        // and running VM, and nothing hourly (nothing of it is older than the retention).
        var (count, first, last) = await RawSamplesAsync(connectionId);
        Assert.Equal(SlotsPerWeek * (vmCount + hostCount), count);
        Assert.Equal(CurrentSlot - 7 * 24 * 3600, first);
        Assert.Equal(CurrentSlot - UtilisationSample.RawSeconds, last);
        Assert.False(await Portal.Db(db => db.UtilisationSamples.AnyAsync(s => s.ResolutionSeconds == UtilisationSample.HourlySeconds)));
        // The KVM world's hosts have their week too.
        var kvmId = await Portal.Db(db => db.Connections.Where(c => c.Endpoint == DemoKvmWorldShape.Endpoint).Select(c => c.Id).FirstAsync());
        Assert.True((await RawSamplesAsync(kvmId)).Count >= SlotsPerWeek, "The KVM demo world has no backfilled history.");

        // The first collection then stores only its own slot.
        var collected = await Portal.Scoped<CollectUtilisation, CollectUtilisation.Result>(u => u.HandleAsync(connectionId));
        Assert.Equal((0, vmCount + hostCount), (collected.Backfilled, collected.Added));

        var hosts = await Portal.Db(db => db.Hosts.AsNoTracking().Where(h => h.ConnectionId == connectionId).ToListAsync());
        var cpu = new Dictionary<string, double>();
        foreach (var h in hosts)
        {
            var series = await Portal.RunAs(Operator).SendAsync<GetUtilisationSeries, UtilisationSeries>((u, user) => u.HandleAsync(user, UtilisationSubjectKind.Host, h.Id));
            Assert.True(series.IsDemo, $"{h.Name}'s simulated load is not labelled demo.");
            // The last 24 hours (from 15:01 yesterday): 287 backfilled slots and the collected one.
            Assert.Equal(24 * 12, series.Points.Count);
            cpu[h.Name] = series.Points.Average(p => p.CpuPercent!.Value);
            // A day/night curve: the busiest hour is well above the quietest.
            Assert.True(series.Points.Max(p => p.CpuPercent!.Value) > 2 * series.Points.Min(p => p.CpuPercent!.Value), $"{h.Name} has no daily curve.");
        }

        output.WriteLine(string.Join(", ", cpu.OrderBy(c => c.Key).Select(c => $"{c.Key} {c.Value:F1} %")));
        Assert.True(cpu["demo-esx-a1"] > 1.5 * cpu["demo-esx-a2"], $"a1 {cpu["demo-esx-a1"]:F1} % is not clearly hotter than a2 {cpu["demo-esx-a2"]:F1} %.");
        Assert.True(cpu["demo-esx-b1"] > 1.5 * cpu["demo-esx-b2"], $"b1 {cpu["demo-esx-b1"]:F1} % is not clearly hotter than b2 {cpu["demo-esx-b2"]:F1} %.");
    }

    [Fact]
    public async Task Seeding_AddsNothing_WhenRunAgain_AndRefillsADemoDatabaseThatHasNoHistory()
    {
        var connectionId = await DemoConnectionIdAsync();
        var seeded = await RawSamplesAsync(connectionId);

        // A restart an hour later: the history is there, so no second week (and no slot of the new hour) is added.
        _clock.Advance(TimeSpan.FromHours(1));
        await RestartAsync();
        Assert.Equal(seeded, await RawSamplesAsync(connectionId));

        // A demo database seeded before the backfill existed has inventory but no samples: its next start fills it, up to now.
        await Portal.Db(db => db.UtilisationSamples.ExecuteDeleteAsync());
        var watch = Stopwatch.StartNew();
        await RestartAsync();
        watch.Stop();
        var refilled = await RawSamplesAsync(connectionId);
        output.WriteLine($"{Provider}: a restart backfilled {refilled.Count:N0} samples in {watch.Elapsed.TotalSeconds:F2} s");
        Assert.Equal((seeded.Count, seeded.First + 3600, seeded.Last + 3600), refilled);
        await RestartAsync();
        Assert.Equal(refilled, await RawSamplesAsync(connectionId));
    }

    [Fact]
    public async Task DefaultBalance_RecommendsAMoveInTheSkewedClusters_OnTheBackfilledLoad()
    {
        var connectionId = await DemoConnectionIdAsync();
        foreach (var cluster in DemoWorldShape.Clusters)
        {
            // No threshold given: the portal's default, as the Optimize page's first Recommend.
            var r = await Portal.RunAs(Operator).SendAsync<MigrationPortal.Application.Optimization.RecommendBalance, MigrationPortal.Application.Optimization.Recommendation>(
                (u, user) => u.HandleAsync(user, new MigrationPortal.Application.Optimization.RecommendBalance.Query(connectionId, cluster)));
            output.WriteLine($"{cluster}: {r.Moves.Count} moves, imbalance {r.ImbalanceBefore:0.###} -> {r.ImbalanceAfter:0.###}; {r.DemandBasis}");
            Assert.NotEmpty(r.Moves);
            Assert.True(r.ImbalanceAfter < r.ImbalanceBefore, $"{cluster}: the moves do not lower the imbalance.");
            // Demand from samples, not configured sizes: no VM counted at its configured vCPUs.
            Assert.All(r.Hosts, h => Assert.True(h.CpuAfter < 1, $"{h.HostName} is at {h.CpuAfter:P0} CPU after the moves."));
        }
    }
}

public sealed class SqliteUtilisationTests() : UtilisationTests(DatabaseProvider.Sqlite);

public sealed class PostgreSqlUtilisationTests() : UtilisationTests(DatabaseProvider.PostgreSql);

public sealed class SqliteDemoUtilisationTests(ITestOutputHelper output) : DemoUtilisationTests(DatabaseProvider.Sqlite, output);

public sealed class PostgreSqlDemoUtilisationTests(ITestOutputHelper output) : DemoUtilisationTests(DatabaseProvider.PostgreSql, output);
