using Microsoft.EntityFrameworkCore;
using MigrationPortal.Application.AccessTokens;
using MigrationPortal.Application.Admin;
using MigrationPortal.Application.Abstractions;
using MigrationPortal.Application.Authorization;
using MigrationPortal.Application.Common;
using MigrationPortal.Application.Tests.Infrastructure;
using MigrationPortal.Infrastructure.Persistence;

namespace MigrationPortal.Application.Tests.AccessTokens;

/// <summary>
/// Personal access tokens (issue 14 §1): only the hash is kept, the secret is answered once; a token is limited to roles its
/// owner holds, expires, can be revoked by its owner or an Administrator, and its use is audited (every write, reads hourly).
/// </summary>
public abstract class AccessTokenTests(DatabaseProvider provider) : DatabaseTestBase(provider)
{
    private async Task<PortalUser> LocalUserAsync(string name, params string[] roles)
    {
        var account = await Portal.Scoped<CreateLocalUser, AccountView>(u => u.HandleAsync(PortalHarness.Admin, new CreateLocalUser.Command(name, $"{name} Example", "Correct-horse-42", roles)));
        return new PortalUser(account.Id, name, roles.ToHashSet(), new HashSet<string>());
    }

    private Task<CreateAccessToken.Created> CreateAsync(PortalUser user, CreateAccessToken.Command command) =>
        Portal.Scoped<CreateAccessToken, CreateAccessToken.Created>(u => u.HandleAsync(user, command));

    private Task<(AuthenticateAccessToken.Accepted? Token, string? Refusal)> UseAsync(string secret, string method = "GET") =>
        Portal.Scoped<AuthenticateAccessToken, (AuthenticateAccessToken.Accepted?, string?)>(u => u.HandleAsync(secret, method, "/api/v1/vms", "127.0.0.1"));

    private Task<List<string>> AuditActionsAsync(Guid tokenId) =>
        Portal.Db(db => db.AuditEvents.Where(e => e.EntityId == tokenId.ToString()).OrderBy(e => e.Sequence).Select(e => e.Action).ToListAsync());

    [Fact]
    public async Task CreateAccessToken_KeepsOnlyTheHash_AndAnswersTheSecretOnce()
    {
        var alice = await LocalUserAsync("alice", Roles.Requester, Roles.Approver);

        var created = await CreateAsync(alice, new CreateAccessToken.Command("nightly wave", ExpiresInDays: 7));

        Assert.StartsWith("mpat_", created.Secret);
        Assert.True(created.Secret.Length >= 45, created.Secret);
        var row = await Portal.Db(db => db.AccessTokens.AsNoTracking().SingleAsync(t => t.Id == created.Token.Id));
        Assert.Equal(AccessTokenSecret.Hash(created.Secret), row.TokenHash);
        Assert.DoesNotContain(created.Secret, string.Join("|", row.TokenHash, row.DisplayPrefix, row.Name, row.Roles));
        Assert.Equal(created.Secret[..9], row.DisplayPrefix);
        Assert.Null(created.Token.Roles); // all of alice's roles, as they are at each call
        Assert.Equal(Portal.Time.GetUtcNow().AddDays(7), created.Token.ExpiresAt, TimeSpan.FromMinutes(1));
        var listed = Assert.Single(await Portal.Scoped<ListAccessTokens, IReadOnlyList<AccessTokenView>>(u => u.HandleAsync(alice)));
        Assert.Equal(("nightly wave", "Active"), (listed.Name, listed.State));
        var audit = await Portal.Db(db => db.AuditEvents.Where(e => e.EntityId == created.Token.Id.ToString()).Select(e => e.Details).ToListAsync());
        Assert.DoesNotContain(audit, d => d.Contains(created.Secret[9..], StringComparison.Ordinal));
        Assert.Equal(["access-token.created"], await AuditActionsAsync(created.Token.Id));
    }

    [Fact]
    public async Task CreateAccessToken_ReportsEveryFieldInOneRound_WhenNameExpiryAndRolesAreWrong()
    {
        var alice = await LocalUserAsync("alice", Roles.Requester);

        var error = await Assert.ThrowsAsync<ValidationFailedException>(() => CreateAsync(alice, new CreateAccessToken.Command("\0", 0, null, [Roles.Approver, "Wizard"])));

        Assert.Contains("NUL", Assert.Single(error.Errors["Name"]));
        Assert.Contains("1 to 366 days", Assert.Single(error.Errors["ExpiresInDays"]));
        Assert.Contains("do not hold the Approver role", Assert.Single(error.Errors["Roles[0]"]));
        Assert.Contains("'Wizard' is not a role", Assert.Single(error.Errors["Roles[1]"]));
        Assert.False(await Portal.Db(db => db.AccessTokens.AnyAsync()));
    }

    [Fact]
    public async Task CreateAccessToken_IsRefused_WhenTheUserHasNoLocalAccount_OrCallsWithAToken()
    {
        var entra = new PortalUser(Guid.NewGuid().ToString(), "Erin (Entra ID)", new HashSet<string> { Roles.Requester }, new HashSet<string>());
        var alice = await LocalUserAsync("alice", Roles.Requester);

        var notLocal = await Assert.ThrowsAsync<ForbiddenException>(() => CreateAsync(entra, new CreateAccessToken.Command("ci")));
        var viaToken = await Assert.ThrowsAsync<ForbiddenException>(() => CreateAsync(alice with { ViaAccessToken = true }, new CreateAccessToken.Command("ci")));

        Assert.Contains("for local accounts", notLocal.Message);
        Assert.Contains("A token cannot create tokens", viaToken.Message);
        Assert.False(await Portal.Db(db => db.AccessTokens.AnyAsync()));
    }

    [Fact]
    public async Task AuthenticateAccessToken_AcceptsTheTokenWithItsRoles_UntilItExpires()
    {
        var alice = await LocalUserAsync("alice", Roles.Requester, Roles.Approver);
        var created = await CreateAsync(alice, new CreateAccessToken.Command("reader", ExpiresInDays: 1, Roles: ["requester"]));

        var (accepted, _) = await UseAsync(created.Secret);
        Assert.Equal(alice.Id, accepted!.UserId);
        Assert.Equal([Roles.Requester], accepted.RoleLimit!);

        Portal.Time.Advance(TimeSpan.FromDays(1) + TimeSpan.FromSeconds(1));
        var (expired, refusal) = await UseAsync(created.Secret);

        Assert.Null(expired);
        Assert.Equal("The access token has expired.", refusal);
        var (unknown, unknownRefusal) = await UseAsync(created.Secret + "x");
        Assert.Null(unknown);
        Assert.Equal("The access token is not valid.", unknownRefusal);
    }

    [Fact]
    public async Task RevokeAccessToken_StopsTheToken_ByItsOwnerOrAnAdministrator_AndHidesItFromOthers()
    {
        var alice = await LocalUserAsync("alice", Roles.Requester);
        var bob = await LocalUserAsync("bob", Roles.Requester);
        var first = await CreateAsync(alice, new CreateAccessToken.Command("first"));
        var second = await CreateAsync(alice, new CreateAccessToken.Command("second"));

        await Assert.ThrowsAsync<NotFoundException>(() => Portal.Scoped<RevokeAccessToken, AccessTokenView>(u => u.HandleAsync(bob, first.Token.Id)));
        Assert.NotNull((await UseAsync(first.Secret)).Token);

        var byOwner = await Portal.Scoped<RevokeAccessToken, AccessTokenView>(u => u.HandleAsync(alice, first.Token.Id));
        var byAdmin = await Portal.Scoped<RevokeAccessToken, AccessTokenView>(u => u.HandleAsync(PortalHarness.Admin, second.Token.Id));

        Assert.Equal(("Revoked", "alice"), (byOwner.State, byOwner.RevokedBy));
        Assert.Equal("Revoked", byAdmin.State);
        Assert.Equal("The access token was revoked.", (await UseAsync(first.Secret)).Refusal);
        Assert.Equal("The access token was revoked.", (await UseAsync(second.Secret)).Refusal);
        Assert.Equal(2, (await Portal.Scoped<ListAccessTokens, IReadOnlyList<AccessTokenView>>(u => u.HandleAsync(PortalHarness.Admin, everyone: true))).Count);
        await Assert.ThrowsAsync<ForbiddenException>(() => Portal.Scoped<ListAccessTokens, IReadOnlyList<AccessTokenView>>(u => u.HandleAsync(bob, everyone: true)));
        Assert.Empty(await Portal.Scoped<ListAccessTokens, IReadOnlyList<AccessTokenView>>(u => u.HandleAsync(bob)));
        Assert.Contains("access-token.revoked", await AuditActionsAsync(second.Token.Id));
    }

    [Fact]
    public async Task AuthenticateAccessToken_AuditsEveryWrite_AndReadsAtMostHourly()
    {
        var alice = await LocalUserAsync("alice", Roles.Requester);
        var created = await CreateAsync(alice, new CreateAccessToken.Command("script"));

        await UseAsync(created.Secret);
        await UseAsync(created.Secret);
        await UseAsync(created.Secret, "POST");
        await UseAsync(created.Secret, "DELETE");
        Portal.Time.Advance(TimeSpan.FromMinutes(61));
        await UseAsync(created.Secret);

        Assert.Equal(["access-token.created", "access-token.used", "access-token.used", "access-token.used", "access-token.used"], await AuditActionsAsync(created.Token.Id));
        var row = await Portal.Db(db => db.AccessTokens.AsNoTracking().SingleAsync(t => t.Id == created.Token.Id));
        Assert.Equal(Portal.Time.GetUtcNow(), row.LastUsedAt!.Value, TimeSpan.FromMinutes(1));
    }
}

public sealed class SqliteAccessTokenTests() : AccessTokenTests(DatabaseProvider.Sqlite);

public sealed class PostgreSqlAccessTokenTests() : AccessTokenTests(DatabaseProvider.PostgreSql);
