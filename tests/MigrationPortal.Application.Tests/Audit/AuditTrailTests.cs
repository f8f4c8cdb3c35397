using System.Text;
using Microsoft.EntityFrameworkCore;
using MigrationPortal.Application.Abstractions;
using MigrationPortal.Application.Audit;
using MigrationPortal.Application.Common;
using MigrationPortal.Application.Tests.Infrastructure;
using MigrationPortal.Domain.Audit;
using MigrationPortal.Domain.Common;
using MigrationPortal.Infrastructure.Persistence;
using static MigrationPortal.Application.Tests.Infrastructure.PortalHarness;

namespace MigrationPortal.Application.Tests.Audit;

/// <summary>The hash chain and the exports, on a real database: tampering out of band is found at the row it touched.</summary>
public abstract class AuditTrailTests(DatabaseProvider provider) : DatabaseTestBase(provider)
{
    private async Task<long> WriteEventsAsync(int count, string? actorName = null)
    {
        await Portal.Scoped<IPortalDb>(async db =>
        {
            for (var i = 0; i < count; i++)
                AuditLog.Record(db, Portal.Time.GetUtcNow(), new Actor("u-test", actorName ?? "Tester"), "test.event", "Test", i.ToString(), new { i });
            await db.SaveChangesAsync();
        });
        return await Portal.Db(db => db.AuditEvents.MaxAsync(e => e.Sequence));
    }

    private Task<ChainVerification> VerifyAsync() => Portal.Scoped<VerifyAuditChain, ChainVerification>(u => u.HandleAsync(Auditor));

    [Fact]
    public async Task Verify_ReportsIntact_AfterNormalUse()
    {
        await WriteEventsAsync(5);
        var result = await VerifyAsync();
        Assert.True(result.IsIntact, result.Summary);
        Assert.True(result.EventsChecked >= 5);
    }

    [Fact]
    public async Task Verify_FindsEditedRow()
    {
        var last = await WriteEventsAsync(5);
        await Portal.Db(db => db.AuditEvents.Where(e => e.Sequence == last - 2).ExecuteUpdateAsync(s => s.SetProperty(e => e.Details, "{\"i\":999}")));
        var result = await VerifyAsync();
        Assert.False(result.IsIntact);
        Assert.Equal(last - 2, result.FirstBreak!.Sequence);
    }

    [Fact]
    public async Task Verify_FindsDeletedRow()
    {
        var last = await WriteEventsAsync(5);
        await Portal.Db(db => db.AuditEvents.Where(e => e.Sequence == last - 1).ExecuteDeleteAsync());
        var result = await VerifyAsync();
        Assert.False(result.IsIntact);
        Assert.Equal(last - 1, result.FirstBreak!.Sequence);
    }

    [Fact]
    public async Task Verify_FindsRowInsertedOutOfBand()
    {
        var last = await WriteEventsAsync(3);
        var lastHash = await Portal.Db(db => db.AuditEvents.Where(e => e.Sequence == last).Select(e => e.Hash).FirstAsync());
        await Portal.Db(async db =>
        {
            // A forger who computes a valid-looking hash but cannot move the recorded chain head.
            var forged = new AuditEvent(Portal.Time.GetUtcNow(), "u-evil", "Mallory", "request.approved", null, null, null, null, "{}");
            forged.Seal(last + 1, lastHash);
            db.AuditEvents.Add(forged);
            return await db.SaveChangesAsync();
        });
        var result = await VerifyAsync();
        Assert.False(result.IsIntact);
        Assert.Equal(last + 1, result.FirstBreak!.Sequence);
    }

    private async Task<long> ForgeRowPastHeadAsync()
    {
        var last = await Portal.Db(db => db.AuditEvents.MaxAsync(e => e.Sequence));
        var lastHash = await Portal.Db(db => db.AuditEvents.Where(e => e.Sequence == last).Select(e => e.Hash).FirstAsync());
        await Portal.Db(async db =>
        {
            // Written out of band (already sealed, so the unit of work does not seal it again and leaves the head alone):
            // a forger with SQL access who computes a valid hash but cannot move the recorded chain head.
            var forged = new AuditEvent(Portal.Time.GetUtcNow(), "u-evil", "Mallory", "request.approved", null, null, null, null, "{}");
            forged.Seal(last + 1, lastHash);
            db.AuditEvents.Add(forged);
            return await db.SaveChangesAsync();
        });
        return last + 1;
    }

    [Fact]
    public async Task AuditedWrite_Succeeds_WhenRowForgedPastChainHead()
    {
        await WriteEventsAsync(3);
        var forged = await ForgeRowPastHeadAsync();

        // Every audited write (sign-in included) seals through the same unit of work; before the fix each one hit the
        // forged row's sequence number and failed until someone deleted it by hand.
        var newest = await WriteEventsAsync(1);
        await WriteEventsAsync(1);

        var chain = await Portal.Db(db => db.AuditEvents.Where(e => e.Sequence > forged).OrderBy(e => e.Sequence).ToListAsync());
        var alert = Assert.Single(chain, e => e.Action == AuditActions.ChainAnomaly);
        Assert.Equal(forged + 1, alert.Sequence);
        Assert.Contains($"\"firstUnchained\":{forged}", alert.Details);
        // The portal's own events link to the recorded head, never to the forged row.
        var headHash = await Portal.Db(db => db.AuditEvents.Where(e => e.Sequence == forged - 1).Select(e => e.Hash).FirstAsync());
        Assert.Equal(headHash, alert.PreviousHash);
        Assert.Equal(forged + 2, chain.Single(e => e.Sequence == newest).Sequence);
        Assert.Equal(1, chain.Count(e => e.Action == AuditActions.ChainAnomaly));
    }

    [Fact]
    public async Task Verify_ReportsForgedRow_AfterPortalSealedPastIt()
    {
        await WriteEventsAsync(3);
        var forged = await ForgeRowPastHeadAsync();
        await WriteEventsAsync(2);

        var result = await VerifyAsync();
        Assert.False(result.IsIntact);
        Assert.Equal(forged, result.FirstBreak!.Sequence);
        Assert.Contains("not part of the chain", result.FirstBreak.Problem);
    }

    [Fact]
    public async Task GetAuditAlerts_ShowsChainAnomalyToAuditor_UntilChainVerifiesIntact()
    {
        await WriteEventsAsync(3);
        Assert.Empty(await Portal.Scoped<GetAuditAlerts, IReadOnlyList<AuditAlert>>(u => u.HandleAsync(Auditor)));
        var forged = await ForgeRowPastHeadAsync();
        await WriteEventsAsync(1);

        var alerts = await Portal.Scoped<GetAuditAlerts, IReadOnlyList<AuditAlert>>(u => u.HandleAsync(Auditor));
        var alert = Assert.Single(alerts);
        Assert.Equal(forged, alert.FirstUnchained);
        Assert.Contains($"{forged}-{forged}", alert.Message);
        Assert.Equal(AuditActions.ChainAnomaly, await Portal.Db(db => db.AuditEvents.Where(e => e.Sequence == alert.Sequence).Select(e => e.Action).FirstAsync()));
        await Assert.ThrowsAsync<ForbiddenException>(() => Portal.Scoped<GetAuditAlerts, IReadOnlyList<AuditAlert>>(u => u.HandleAsync(Requester)));

        // Still there after a verification that finds the chain broken; gone once an administrator restores an intact
        // chain (here: deleting every row from the forged one on and moving the head back) and it verifies intact.
        Assert.False((await VerifyAsync()).IsIntact);
        Assert.Single(await Portal.Scoped<GetAuditAlerts, IReadOnlyList<AuditAlert>>(u => u.HandleAsync(Auditor)));
        await Portal.Db(db => db.AuditEvents.Where(e => e.Sequence >= forged).ExecuteDeleteAsync());
        var restored = await Portal.Db(db => db.AuditEvents.OrderByDescending(e => e.Sequence).FirstAsync());
        await Portal.Db(db => db.AuditChainHeads.ExecuteUpdateAsync(s => s.SetProperty(h => h.LastSequence, restored.Sequence).SetProperty(h => h.LastHash, restored.Hash)));
        Assert.True((await VerifyAsync()).IsIntact);
        Assert.Empty(await Portal.Scoped<GetAuditAlerts, IReadOnlyList<AuditAlert>>(u => u.HandleAsync(Auditor)));
    }

    [Fact]
    public async Task Verify_ReportsIntact_WhileWritersAppend()
    {
        await WriteEventsAsync(20);
        using var stop = new CancellationTokenSource();
        var batchesWritten = 0;
        var writers = Enumerable.Range(0, 3).Select(w => Task.Run(async () =>
        {
            var batches = 0;
            while (!stop.IsCancellationRequested)
            {
                await WriteEventsAsync(1 + batches % 3, $"writer {w}");
                batches++;
                Interlocked.Increment(ref batchesWritten);
            }

            return batches;
        })).ToArray();

        // Verify at least 40 times, and keep verifying until the writers have really written alongside (on a loaded
        // machine the first verifications can finish before a writer's first commit), within a bound.
        var verdicts = new List<ChainVerification>();
        try
        {
            await Eventually.TrueAsync(() => Volatile.Read(ref batchesWritten) > 0, TimeSpan.FromSeconds(60), "the writers' first commit", TimeSpan.FromMilliseconds(10));
            // Not a wait but the work under test: verifications back to back, bounded on the test's own (real) clock.
            var verifying = TimeProvider.System.GetTimestamp();
            while ((verdicts.Count < 40 || Volatile.Read(ref batchesWritten) < 10) && TimeProvider.System.GetElapsedTime(verifying) < TimeSpan.FromSeconds(60))
                verdicts.Add(await VerifyAsync());
        }
        finally
        {
            await stop.CancelAsync();
        }

        var written = await Task.WhenAll(writers);
        Assert.All(verdicts, v => Assert.True(v.IsIntact, v.Summary));
        // The writers really ran during the verifications: each verification saw a longer chain than some earlier one.
        Assert.True(written.Sum() >= 10, $"only {written.Sum()} writes");
        Assert.True(verdicts.Select(v => v.EventsChecked).Distinct().Count() >= 10, "the chain barely grew while verifying");
    }

    [Fact]
    public async Task ExportCsv_NeutralisesFormulaCells_AndIsAudited()
    {
        await WriteEventsAsync(2, actorName: "=cmd|' /C calc'!A0");
        using var output = new MemoryStream();
        await Portal.Scoped<ExportAudit>(u => u.HandleAsync(Auditor, new AuditFilter(Action: "test.event"), "csv", output));
        var csv = Encoding.UTF8.GetString(output.ToArray());
        var lines = csv.Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(3, lines.Length);
        Assert.Contains("'=cmd|", csv);
        Assert.DoesNotContain(",=cmd", csv);
        Assert.DoesNotContain(",\"=cmd", csv);
        Assert.True(await Portal.Db(db => db.AuditEvents.AnyAsync(e => e.Action == AuditActions.AuditExported && e.ActorId == Auditor.Id)));
    }

    [Fact]
    public async Task ExportJsonLines_WritesOneObjectPerEvent_ForFilter()
    {
        await WriteEventsAsync(4);
        using var output = new MemoryStream();
        await Portal.Scoped<ExportAudit>(u => u.HandleAsync(Auditor, new AuditFilter(Action: "test.event"), "jsonl", output));
        var lines = Encoding.UTF8.GetString(output.ToArray()).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(4, lines.Length);
        Assert.All(lines, l => Assert.Contains("\"action\":\"test.event\"", l));
    }

    [Fact]
    public async Task Export_IsForbidden_ForRequester()
    {
        using var output = new MemoryStream();
        await Assert.ThrowsAsync<ForbiddenException>(() => Portal.Scoped<ExportAudit>(u => u.HandleAsync(Requester, new AuditFilter(), "csv", output)));
        Assert.Equal(0, output.Length);
    }
}

public sealed class SqliteAuditTrailTests() : AuditTrailTests(DatabaseProvider.Sqlite);

public sealed class PostgreSqlAuditTrailTests() : AuditTrailTests(DatabaseProvider.PostgreSql);
