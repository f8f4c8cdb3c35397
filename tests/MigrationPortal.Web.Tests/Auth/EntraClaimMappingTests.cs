using System.Security.Claims;
using System.Security.Cryptography;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using MigrationPortal.Application.Authorization;
using MigrationPortal.Web.Auth;

namespace MigrationPortal.Web.Tests.Auth;

/// <summary>Tokens shaped like Entra ID's (oid, tid, name, roles, groups), signed and validated, then mapped to a portal user.</summary>
public class EntraClaimMappingTests
{
    private static ClaimsPrincipal ValidatedPrincipal(Dictionary<string, object> claims)
    {
        using var rsa = RSA.Create(2048);
        var key = new RsaSecurityKey(rsa) { KeyId = "test-key" };
        var handler = new JsonWebTokenHandler();
        var token = handler.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = "https://login.microsoftonline.com/11111111-1111-1111-1111-111111111111/v2.0",
            Audience = "api://migrationportal",
            Claims = claims,
            Expires = TimeProvider.System.GetUtcNow().UtcDateTime.AddMinutes(5),
            SigningCredentials = new SigningCredentials(key, SecurityAlgorithms.RsaSha256),
        });
        var result = handler.ValidateTokenAsync(token, new TokenValidationParameters
        {
            ValidIssuer = "https://login.microsoftonline.com/11111111-1111-1111-1111-111111111111/v2.0",
            ValidAudience = "api://migrationportal",
            IssuerSigningKey = key,
        }).GetAwaiter().GetResult();
        Assert.True(result.IsValid, result.Exception?.Message);
        return new ClaimsPrincipal(result.ClaimsIdentity);
    }

    [Fact]
    public async Task ToPortalUser_MapsAppRolesAndGroups_FromEntraShapedToken()
    {
        var principal = ValidatedPrincipal(new()
        {
            ["oid"] = "7d8f0e4a-0000-4000-8000-000000000001",
            ["tid"] = "11111111-1111-1111-1111-111111111111",
            ["name"] = "Erin Entra",
            ["preferred_username"] = "erin@contoso.example",
            ["roles"] = new[] { "Approver", "Portal.Auditor", "SomethingElse" },
            ["groups"] = new[] { "aaaaaaaa-0000-4000-8000-000000000001", "bbbbbbbb-0000-4000-8000-000000000002" },
        });
        await new EntraClaimsTransformation().TransformAsync(principal);

        var user = principal.ToPortalUser();
        Assert.Equal("7d8f0e4a-0000-4000-8000-000000000001", user.Id);
        Assert.Equal("Erin Entra", user.Name);
        Assert.Equal(new[] { Roles.Approver, Roles.Auditor }.Order(), user.Roles.Order());
        Assert.Contains("bbbbbbbb-0000-4000-8000-000000000002", user.Groups);
        Assert.True(principal.IsInRole(Roles.Auditor));
        Assert.False(principal.IsInRole("SomethingElse"));
    }

    [Fact]
    public void ToPortalUser_GivesNoRoles_WhenTokenHasNone()
    {
        var principal = ValidatedPrincipal(new() { ["oid"] = "o-1", ["name"] = "No Roles" });
        var user = principal.ToPortalUser();
        Assert.Empty(user.Roles);
        Assert.False(user.SeesEverything);
    }

    [Theory]
    [InlineData("Requester", Roles.Requester)]
    [InlineData("MigrationPortal.Operator", Roles.Operator)]
    [InlineData("administrator", Roles.Administrator)]
    [InlineData("Portal.Admin", null)]
    public void NormaliseRole_AcceptsPlainAndPrefixedValues(string value, string? expected) => Assert.Equal(expected, PortalClaims.NormaliseRole(value));

    [Fact]
    public void EmailAddress_PrefersTheEmailClaim_ThenAMailLikePreferredUsername()
    {
        Assert.Equal("erin.mail@contoso.example", ValidatedPrincipal(new() { ["oid"] = "o-1", ["email"] = "erin.mail@contoso.example", ["preferred_username"] = "erin@contoso.example" }).EmailAddress());
        Assert.Equal("erin@contoso.example", ValidatedPrincipal(new() { ["oid"] = "o-1", ["preferred_username"] = "erin@contoso.example" }).EmailAddress());
        Assert.Null(ValidatedPrincipal(new() { ["oid"] = "o-1", ["preferred_username"] = "erin" }).EmailAddress());
    }
}
