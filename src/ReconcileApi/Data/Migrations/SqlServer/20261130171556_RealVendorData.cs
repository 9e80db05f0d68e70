using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace ReconcileApi.Data.Migrations.SqlServer
{
    /// <inheritdoc />
    public partial class RealVendorData : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<DateTime>(
                name: "Cutoff",
                table: "Runs",
                type: "datetime2",
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "MatchRate",
                table: "Runs",
                type: "bigint",
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "NotExpectedInKeap",
                table: "Runs",
                type: "int",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.AddColumn<int>(
                name: "NotExpectedInStore",
                table: "Runs",
                type: "int",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.AddColumn<DateTime>(
                name: "PendingAfter",
                table: "Runs",
                type: "datetime2",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "SyncLag",
                table: "Runs",
                type: "nvarchar(1000)",
                maxLength: 1000,
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "Repeated",
                table: "Batches",
                type: "int",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.AddColumn<string>(
                name: "Warnings",
                table: "Batches",
                type: "nvarchar(max)",
                nullable: false,
                defaultValue: "");

            migrationBuilder.CreateTable(
                name: "RunPendingOrders",
                columns: table => new
                {
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("SqlServer:Identity", "1, 1"),
                    RunId = table.Column<Guid>(type: "uniqueidentifier", nullable: false),
                    Source = table.Column<string>(type: "nvarchar(16)", maxLength: 16, nullable: false),
                    OrderId = table.Column<string>(type: "nvarchar(100)", maxLength: 100, nullable: false),
                    OrderKey = table.Column<string>(type: "nvarchar(200)", maxLength: 200, nullable: true),
                    OrderDate = table.Column<DateTime>(type: "datetime2", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_RunPendingOrders", x => x.Id);
                    table.ForeignKey(
                        name: "FK_RunPendingOrders_Runs_RunId",
                        column: x => x.RunId,
                        principalTable: "Runs",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_RunPendingOrders_RunId_Id",
                table: "RunPendingOrders",
                columns: new[] { "RunId", "Id" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "RunPendingOrders");

            migrationBuilder.DropColumn(
                name: "Cutoff",
                table: "Runs");

            migrationBuilder.DropColumn(
                name: "MatchRate",
                table: "Runs");

            migrationBuilder.DropColumn(
                name: "NotExpectedInKeap",
                table: "Runs");

            migrationBuilder.DropColumn(
                name: "NotExpectedInStore",
                table: "Runs");

            migrationBuilder.DropColumn(
                name: "PendingAfter",
                table: "Runs");

            migrationBuilder.DropColumn(
                name: "SyncLag",
                table: "Runs");

            migrationBuilder.DropColumn(
                name: "Repeated",
                table: "Batches");

            migrationBuilder.DropColumn(
                name: "Warnings",
                table: "Batches");
        }
    }
}
