using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MigrationPortal.Application.Abstractions;
using MigrationPortal.Domain.Audit;
using MigrationPortal.Infrastructure.Persistence;

namespace MigrationPortal.Web.Tests.Audit;

/// <summary>
/// A row forged past the audit chain head (valid hash, written in SQL) must not lock the portal: sign-in still works,
/// verification still reports the row, and the audit page alerts an auditor.
/// </summary>
public sealed class ForgedAuditRowTests(PortalWebFactory factory) : IClassFixture<PortalWebFactory>
{
    private const string Auditor = "u-aldo|Aldo Auditor|Auditor";

    [Fact]
    public async Task SignIn_Succeeds_AndAuditorIsAlerted_WhenRowForgedPastChainHead()
    {
        var userName = $"fay-{Guid.NewGuid():N}"[..12];
        await using (var scope = factory.Services.CreateAsyncScope())
        {
            var (id, errors) = await scope.ServiceProvider.GetRequiredService<IAccountDirectory>().CreateAsync(userName, "Fay", "Correct-horse-42", ["Requester"], default);
            Assert.True(id is not null, string.Join(" ", errors.SelectMany(e => e.Value)));
        }

        long forged;
        await using (var scope = factory.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<PortalDbContext>();
            var last = await db.AuditEvents.OrderByDescending(e => e.Sequence).FirstAsync();
            var row = new AuditEvent(last.At, "u-evil", "Mallory", "request.approved", null, null, null, null, "{}");
            row.Seal(last.Sequence + 1, last.Hash);
            forged = row.Sequence;
            // Already sealed, so the unit of work inserts it as it is and leaves the chain head alone: an out-of-band INSERT.
            db.AuditEvents.Add(row);
            await db.SaveChangesAsync();
        }

        using var client = factory.ClientFor(null);
        using (var signIn = await MigrationPortal.Web.Tests.Auth.SignInForm.PostAsync(client, userName, "Correct-horse-42"))
        {
            Assert.Equal(HttpStatusCode.Redirect, signIn.StatusCode);
            Assert.Equal("/requests", signIn.Headers.Location!.ToString());
        }

        using var auditor = factory.ClientFor(Auditor);
        using (var verify = await auditor.PostAsync("/api/v1/audit/verify", null))
        {
            Assert.Equal(HttpStatusCode.OK, verify.StatusCode);
            var verdict = await verify.Content.ReadFromJsonAsync<JsonElement>();
            Assert.False(verdict.GetProperty("isIntact").GetBoolean());
            Assert.Equal(forged, verdict.GetProperty("firstBrokenSequence").GetInt64());
        }

        var page = await auditor.GetStringAsync("/audit");
        Assert.Contains("data-testid=\"chain-alert\"", page);
        Assert.Contains($"Audit rows {forged}-{forged} were found past the recorded chain head", page);
    }
}
