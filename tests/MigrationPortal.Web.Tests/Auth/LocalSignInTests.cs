using System.Net;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MigrationPortal.Application.Abstractions;
using MigrationPortal.Infrastructure.Persistence;

namespace MigrationPortal.Web.Tests.Auth;

/// <summary>The real sign-in form: antiforgery token, Identity password check, redirect, and the audit of success and failure.</summary>
public sealed partial class LocalSignInTests(PortalWebFactory factory) : IClassFixture<PortalWebFactory>
{
    [Fact]
    public async Task SignIn_SucceedsAndFailsVisibly_AndBothAreAudited()
    {
        var userName = $"sam-{Guid.NewGuid():N}"[..12];
        await using (var scope = factory.Services.CreateAsyncScope())
        {
            var (id, errors) = await scope.ServiceProvider.GetRequiredService<IAccountDirectory>().CreateAsync(userName, "Sam", "Correct-horse-42", ["Requester"], default);
            Assert.True(id is not null, string.Join(" ", errors.SelectMany(e => e.Value)));
        }

        using var client = factory.ClientFor(null);
        using (var wrong = await PostLoginAsync(client, userName, "not-the-password"))
        {
            Assert.Equal(HttpStatusCode.Redirect, wrong.StatusCode);
            Assert.Contains("error=invalid", wrong.Headers.Location!.ToString());
        }

        using (var right = await PostLoginAsync(client, userName, "Correct-horse-42"))
        {
            Assert.Equal(HttpStatusCode.Redirect, right.StatusCode);
            Assert.Equal("/requests", right.Headers.Location!.ToString());
            Assert.Contains(right.Headers.GetValues("Set-Cookie"), c => c.StartsWith(".MigrationPortal.Auth="));
        }

        await using var check = factory.Services.CreateAsyncScope();
        var db = check.ServiceProvider.GetRequiredService<PortalDbContext>();
        var events = await db.AuditEvents.Where(e => e.ActorName == userName).Select(e => e.Action).ToListAsync();
        Assert.Contains("auth.sign-in-failed", events);
        Assert.Contains("auth.sign-in", events);
    }

    [Fact]
    public async Task LoginPage_RendersForm_ForAnonymousUser()
    {
        using var client = factory.ClientFor(null);
        var html = await client.GetStringAsync("/login");
        Assert.Contains("data-testid=\"login-form\"", html);
        Assert.DoesNotContain("entra-login", html);
    }

    private static async Task<HttpResponseMessage> PostLoginAsync(HttpClient client, string userName, string password)
    {
        var page = await client.GetStringAsync("/login?returnUrl=%2Frequests");
        var token = Token().Match(page).Groups[1].Value;
        Assert.False(string.IsNullOrEmpty(token), "The sign-in page carries no antiforgery token.");
        return await client.PostAsync("/account/login", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["userName"] = userName, ["password"] = password, ["returnUrl"] = "/requests", ["__RequestVerificationToken"] = token,
        }));
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\" value=\"([^\"]+)\"")]
    private static partial Regex Token();
}
