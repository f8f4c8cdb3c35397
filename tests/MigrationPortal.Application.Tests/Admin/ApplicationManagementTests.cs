using Microsoft.EntityFrameworkCore;
using MigrationPortal.Application.Abstractions;
using MigrationPortal.Application.Admin;
using MigrationPortal.Application.Common;
using MigrationPortal.Application.Tests.Infrastructure;
using MigrationPortal.Domain.Inventory;
using MigrationPortal.Infrastructure.Persistence;
using static MigrationPortal.Application.Tests.Infrastructure.PortalHarness;

namespace MigrationPortal.Application.Tests.Admin;

/// <summary>
/// Administrators create, rename and delete applications; owners are known users (by ID) or groups, shown by name; an
/// account needs a role. Issue 13 §1: without these, no application could be made with the demo off, "alice" was stored as a
/// user ID nobody had, and a role-less account signed in to empty pages.
/// </summary>
public abstract class ApplicationManagementTests(DatabaseProvider provider) : DatabaseTestBase(provider)
{
    private Task<AccountView> CreateUserAsync(string name, params string[] roles) =>
        Portal.Scoped<CreateLocalUser, AccountView>(u => u.HandleAsync(PortalHarness.Admin, new CreateLocalUser.Command(name, $"{name} Example", "Correct-horse-42", roles)));

    private Task<ApplicationView> CreateAsync(string name, params SetApplicationOwners.Owner?[] owners) =>
        Portal.Scoped<CreateApplication, ApplicationView>(u => u.HandleAsync(PortalHarness.Admin, new CreateApplication.Command(name, "prod", "high", owners)));

    private Task<IReadOnlyList<ApplicationView>> ListAsync() => Portal.Scoped<ListApplications, IReadOnlyList<ApplicationView>>(u => u.HandleAsync(PortalHarness.Admin));

    [Fact]
    public async Task CreateApplication_ListsItsOwnersByName_WhenTheOwnersAreKnown()
    {
        var alice = await CreateUserAsync("alice", "Requester");
        var entraGroup = Guid.NewGuid();

        var created = await CreateAsync("billing", new(OwnerKind.User, alice.Id), new(OwnerKind.Group, entraGroup.ToString().ToUpperInvariant()));

        var listed = Assert.Single(await ListAsync(), a => a.Id == created.Id);
        // By name; stored as the ID the guard compares with, and the object ID in the claim's spelling.
        Assert.Equal([($"Entra group {entraGroup}", entraGroup.ToString()), ("alice Example (alice)", alice.Id)],
            listed.Owners.Select(o => (o.DisplayName, o.Principal)).OrderBy(o => o.DisplayName, StringComparer.Ordinal));
    }

    [Fact]
    public async Task CreateApplication_RefusesTheOwner_WhenTheUserIsUnknown()
    {
        var error = await Assert.ThrowsAsync<ValidationFailedException>(() => CreateAsync("billing", new SetApplicationOwners.Owner(OwnerKind.User, "alice")));

        Assert.Contains("'alice' is not a known user", Assert.Single(error.Errors["Owners[0].Principal"]));
        Assert.DoesNotContain(await ListAsync(), a => a.Name == "billing");
    }

    [Fact]
    public async Task CreateApplication_RefusesTheGroup_WhenItIsNeitherKnownNorAnObjectId()
    {
        var error = await Assert.ThrowsAsync<ValidationFailedException>(() => CreateAsync("billing", new SetApplicationOwners.Owner(OwnerKind.Group, "made-up")));

        Assert.Contains("object ID", Assert.Single(error.Errors["Owners[0].Principal"]));
    }

    [Fact]
    public async Task CreateApplication_Answers409_WhenTheNameIsTaken()
    {
        await CreateAsync("billing");

        var error = await Assert.ThrowsAsync<ConflictException>(() => CreateAsync("billing"));

        Assert.Contains("'billing' already exists", error.Message);
    }

    [Fact]
    public async Task SetApplicationOwners_RenamesTheApplication_AndRefusesATakenName()
    {
        var created = await CreateAsync("billing");

        await Portal.Scoped<SetApplicationOwners>(u => u.HandleAsync(PortalHarness.Admin, new SetApplicationOwners.Command(created.Id, "prod", "high", [], "invoicing")));
        Assert.Equal("invoicing", Assert.Single(await ListAsync(), a => a.Id == created.Id).Name);

        await Assert.ThrowsAsync<ConflictException>(() => Portal.Scoped<SetApplicationOwners>(u =>
            u.HandleAsync(PortalHarness.Admin, new SetApplicationOwners.Command(created.Id, "prod", "high", [], RequesterApp))));
    }

    [Fact]
    public async Task DeleteApplication_RefusesNamingTheCount_WhenVmsAreMappedToIt()
    {
        var payments = await Portal.Db(db => db.Applications.AsNoTracking().FirstAsync(a => a.Name == RequesterApp));
        var vms = await Portal.Db(db => db.Vms.CountAsync(v => v.ApplicationId == payments.Id));
        Assert.True(vms > 0);

        var error = await Assert.ThrowsAsync<ConflictException>(() => Portal.Scoped<DeleteApplication>(u => u.HandleAsync(PortalHarness.Admin, payments.Id)));

        Assert.Contains($"{vms} VM(s) are mapped to it", error.Message);
        Assert.True(await Portal.Db(db => db.Applications.AnyAsync(a => a.Id == payments.Id)));
    }

    [Fact]
    public async Task DeleteApplication_RemovesIt_WhenNothingReferencesIt()
    {
        var created = await CreateAsync("billing");

        await Portal.Scoped<DeleteApplication>(u => u.HandleAsync(PortalHarness.Admin, created.Id));

        Assert.False(await Portal.Db(db => db.Applications.AnyAsync(a => a.Id == created.Id)));
        await Assert.ThrowsAsync<NotFoundException>(() => Portal.Scoped<DeleteApplication>(u => u.HandleAsync(PortalHarness.Admin, created.Id)));
        await Assert.ThrowsAsync<ForbiddenException>(() => Portal.Scoped<DeleteApplication>(u => u.HandleAsync(Operator, Guid.NewGuid())));
    }

    [Fact]
    public async Task CreateLocalUser_RefusesTheAccount_WhenItHasNoRole()
    {
        var error = await Assert.ThrowsAsync<ValidationFailedException>(() => CreateUserAsync("norole"));

        Assert.Contains("at least one role", Assert.Single(error.Errors["Roles"]));
        Assert.DoesNotContain(await Portal.Scoped<ListUsers, IReadOnlyList<AccountView>>(u => u.HandleAsync(PortalHarness.Admin)), a => a.UserName == "norole");
    }
}

public sealed class SqliteApplicationManagementTests() : ApplicationManagementTests(DatabaseProvider.Sqlite);

public sealed class PostgreSqlApplicationManagementTests() : ApplicationManagementTests(DatabaseProvider.PostgreSql);
