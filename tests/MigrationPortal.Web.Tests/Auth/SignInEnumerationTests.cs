using System.Net;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using MigrationPortal.Infrastructure.Identity;

namespace MigrationPortal.Web.Tests.Auth;

/// <summary>
/// An unknown user name, a locked account and a wrong password must cost the same (the password hasher runs every time)
/// and answer the same, so that neither the clock nor the page tells an attacker which accounts exist.
/// </summary>
public sealed class SignInEnumerationTests(SignInEnumerationTests.Factory factory) : IClassFixture<SignInEnumerationTests.Factory>
{
    public sealed class Factory : PortalWebFactory
    {
        public CountingHasher Hasher { get; } = new();

        protected override bool UseTestAuthentication => false;

        protected override void ConfigureServices(IServiceCollection services) => services.AddSingleton<IPasswordHasher<PortalAccount>>(Hasher);
    }

    /// <summary>Identity's own hasher, counting how often a password is verified.</summary>
    public sealed class CountingHasher : IPasswordHasher<PortalAccount>
    {
        private readonly PasswordHasher<PortalAccount> _inner = new();
        private int _verifications;

        public int Verifications => Volatile.Read(ref _verifications);

        public string HashPassword(PortalAccount user, string password) => _inner.HashPassword(user, password);

        public PasswordVerificationResult VerifyHashedPassword(PortalAccount user, string hashedPassword, string providedPassword)
        {
            Interlocked.Increment(ref _verifications);
            return _inner.VerifyHashedPassword(user, hashedPassword, providedPassword);
        }
    }

    [Fact]
    public async Task SignIn_RunsPasswordHasher_WhenUserNameIsUnknown()
    {
        using var client = factory.ClientFor(null);
        var before = factory.Hasher.Verifications;
        using var response = await SignInForm.PostAsync(client, $"nobody-{Guid.NewGuid():N}", "whatever-password");
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal(before + 1, factory.Hasher.Verifications);
    }

    [Fact]
    public async Task SignIn_RunsPasswordHasher_WhenAccountIsLocked()
    {
        var userName = await SignInForm.CreateUserAsync(factory.Services, "lock");
        await LockAsync(userName);
        using var client = factory.ClientFor(null);
        var before = factory.Hasher.Verifications;
        using var response = await SignInForm.PostAsync(client, userName, "wrong-password-again");
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal(before + 1, factory.Hasher.Verifications);
    }

    [Fact]
    public async Task SignIn_AnswersAlike_ForUnknownUserLockedAccountAndWrongPassword()
    {
        var wrong = await SignInForm.CreateUserAsync(factory.Services, "wrong");
        var locked = await SignInForm.CreateUserAsync(factory.Services, "lock");
        await LockAsync(locked);
        using var client = factory.ClientFor(null);

        var answers = new List<string>();
        foreach (var (user, password) in new[] { ($"nobody-{Guid.NewGuid():N}"[..12], "whatever-password"), (locked, SignInForm.Password), (wrong, "not-the-password") })
        {
            using var response = await SignInForm.PostAsync(client, user, password);
            Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
            Assert.False(response.Headers.TryGetValues("Set-Cookie", out var cookies) && cookies.Any(c => c.StartsWith(".MigrationPortal.Auth=")));
            answers.Add(response.Headers.Location!.ToString());
        }

        Assert.Single(answers.Distinct());
        Assert.DoesNotContain("locked", answers[0]);
        // The page itself names both causes, so a locked-out user still learns what to do.
        var page = await client.GetStringAsync(answers[0]);
        Assert.Contains("locked", page);
    }

    private async Task LockAsync(string userName)
    {
        await using var scope = factory.Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<PortalAccount>>();
        var account = await users.FindByNameAsync(userName);
        await users.SetLockoutEndDateAsync(account!, TimeProvider.System.GetUtcNow().AddHours(1));
    }
}
