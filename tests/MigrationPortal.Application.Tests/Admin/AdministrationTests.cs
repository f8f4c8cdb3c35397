using Microsoft.EntityFrameworkCore;
using MigrationPortal.Application.Abstractions;
using MigrationPortal.Application.Admin;
using MigrationPortal.Application.Common;
using MigrationPortal.Application.Tests.Infrastructure;
using MigrationPortal.Infrastructure.Persistence;
using static MigrationPortal.Application.Tests.Infrastructure.PortalHarness;

namespace MigrationPortal.Application.Tests.Admin;

public abstract class AdministrationTests(DatabaseProvider provider) : DatabaseTestBase(provider)
{
    private static SaveConnection.Command VCenter(string name, string? secret = "Pa55word!") =>
        new(null, name, "vsphere", "https://vcenter.example/sdk", "svc-portal", secret, "44:8F:62:00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99:DC:9B:F6", false);

    [Fact]
    public async Task SaveConnection_EncryptsSecret_AndNeverReturnsOrAuditsIt()
    {
        var saved = await Portal.Scoped<SaveConnection, ConnectionView>(u => u.HandleAsync(PortalHarness.Admin, VCenter("vc-lab")));
        Assert.True(saved.HasSecret);
        var stored = await Portal.Db(db => db.Connections.AsNoTracking().FirstAsync(c => c.Id == saved.Id));
        Assert.NotNull(stored.ProtectedSecret);
        Assert.DoesNotContain("Pa55word!", stored.ProtectedSecret);
        Assert.Equal("Pa55word!", await Portal.Scoped<ISecretProtector, string>(p => Task.FromResult(p.Unprotect(stored.ProtectedSecret!))));
        Assert.False(await Portal.Db(db => db.AuditEvents.AnyAsync(e => e.Details.Contains("Pa55word!"))));
        Assert.True(await Portal.Db(db => db.AuditEvents.AnyAsync(e => e.EntityId == saved.Id.ToString() && e.Details.Contains("\"secretChanged\":true"))));

        var listed = await Portal.Scoped<ListConnections, IReadOnlyList<ConnectionView>>(u => u.HandleAsync(Auditor));
        Assert.Contains(listed, c => c.Id == saved.Id && c.HasSecret);

        // Editing without a secret keeps the old one.
        await Portal.Scoped<SaveConnection, ConnectionView>(u => u.HandleAsync(PortalHarness.Admin, VCenter("vc-lab-renamed", secret: null) with { Id = saved.Id }));
        Assert.Equal(stored.ProtectedSecret, (await Portal.Db(db => db.Connections.AsNoTracking().FirstAsync(c => c.Id == saved.Id))).ProtectedSecret);
    }

    [Fact]
    public async Task SaveConnection_ReportsEachBadField()
    {
        var error = await Assert.ThrowsAsync<ValidationFailedException>(() => Portal.Scoped<SaveConnection, ConnectionView>(u => u.HandleAsync(PortalHarness.Admin,
            new SaveConnection.Command(null, "", "hyper-v", "not a url", null, null, "xyz", false))));
        Assert.Contains("Name", error.Errors.Keys);
        Assert.Contains("Kind", error.Errors.Keys);
        Assert.Contains("Endpoint", error.Errors.Keys);
        Assert.Contains("PinnedThumbprint", error.Errors.Keys);
        await Assert.ThrowsAsync<ForbiddenException>(() => Portal.Scoped<SaveConnection, ConnectionView>(u => u.HandleAsync(Operator, VCenter("vc-op"))));
    }

    [Fact]
    public async Task TestConnection_ReportsDemoReachable_AndIsAudited()
    {
        var demo = await Portal.Db(db => db.Connections.FirstAsync());
        var result = await Portal.Scoped<TestConnection, ConnectionTestResult>(u => u.HandleAsync(PortalHarness.Admin, demo.Id));
        Assert.True(result.Succeeded);
        Assert.True(await Portal.Db(db => db.AuditEvents.AnyAsync(e => e.Action == "connection.tested" && e.IsDemo)));
    }

    [Fact]
    public async Task CreateLocalUser_AppliesIdentityRules_AndSetUserAccessGivesGroups()
    {
        var weak = await Assert.ThrowsAsync<ValidationFailedException>(() => Portal.Scoped<CreateLocalUser, AccountView>(u => u.HandleAsync(PortalHarness.Admin,
            new CreateLocalUser.Command("weak", "Weak", "short", ["Requester"]))));
        Assert.Contains("Password", weak.Errors.Keys);

        var created = await Portal.Scoped<CreateLocalUser, AccountView>(u => u.HandleAsync(PortalHarness.Admin,
            new CreateLocalUser.Command("carla", "Carla Approver", "Correct-horse-42", ["Approver"])));
        await Portal.Scoped<SetUserAccess>(u => u.HandleAsync(PortalHarness.Admin, new SetUserAccess.Command(created.Id, ["Approver", "Auditor"], ["cab"])));
        var users = await Portal.Scoped<ListUsers, IReadOnlyList<AccountView>>(u => u.HandleAsync(PortalHarness.Admin));
        var carla = Assert.Single(users, u => u.UserName == "carla");
        Assert.Equal(["Approver", "Auditor"], carla.Roles);
        Assert.Equal(["cab"], carla.Groups);
        Assert.False(await Portal.Db(db => db.AuditEvents.AnyAsync(e => e.Details.Contains("Correct-horse-42"))));

        await Portal.Scoped<ResetLocalPassword>(u => u.HandleAsync(PortalHarness.Admin, new ResetLocalPassword.Command(created.Id, "Another-horse-43")));
        var tooShort = await Assert.ThrowsAsync<ValidationFailedException>(() => Portal.Scoped<ResetLocalPassword>(u => u.HandleAsync(PortalHarness.Admin, new ResetLocalPassword.Command(created.Id, "short"))));
        Assert.Contains("Password", tooShort.Errors.Keys);
        Assert.False(await Portal.Db(db => db.AuditEvents.AnyAsync(e => e.Details.Contains("Another-horse-43"))));

        var selfDemotion = await Assert.ThrowsAsync<ValidationFailedException>(() => Portal.Scoped<SetUserAccess>(u => u.HandleAsync(
            new Authorization.PortalUser(created.Id, "Carla", new HashSet<string> { "Administrator" }, new HashSet<string>()),
            new SetUserAccess.Command(created.Id, ["Approver"], []))));
        Assert.Contains("Roles", selfDemotion.Errors.Keys);
    }

    [Fact]
    public async Task AssignVmApplication_MapsUntaggedVm_ButNotOneTheHypervisorTags()
    {
        var tagged = await Portal.Db(db => db.Vms.FirstAsync(v => v.ApplicationTag != null));
        var app = await Portal.Db(db => db.Applications.FirstAsync(a => a.Name == OtherApp));
        var refused = await Assert.ThrowsAsync<ValidationFailedException>(() => Portal.Scoped<AssignVmApplication>(u => u.HandleAsync(PortalHarness.Admin, new AssignVmApplication.Command(tagged.Id, app.Id))));
        Assert.Contains("tagged", refused.Errors["ApplicationId"][0]);

        await Portal.Db(async db =>
        {
            (await db.Vms.FirstAsync(v => v.Id == tagged.Id)).ApplicationTag = null;
            return await db.SaveChangesAsync();
        });
        await Portal.Scoped<AssignVmApplication>(u => u.HandleAsync(PortalHarness.Admin, new AssignVmApplication.Command(tagged.Id, app.Id)));
        Assert.Equal(app.Id, (await Portal.Db(db => db.Vms.FirstAsync(v => v.Id == tagged.Id))).ApplicationId);
        await Assert.ThrowsAsync<ForbiddenException>(() => Portal.Scoped<AssignVmApplication>(u => u.HandleAsync(Operator, new AssignVmApplication.Command(tagged.Id, null))));
    }
}

public sealed class SqliteAdministrationTests() : AdministrationTests(DatabaseProvider.Sqlite);

public sealed class PostgreSqlAdministrationTests() : AdministrationTests(DatabaseProvider.PostgreSql);
