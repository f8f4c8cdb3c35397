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
