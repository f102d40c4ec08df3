#include "cli/man_page.h"

#include <catch2/catch.hpp>

#include <fstream>
#include <sstream>

#include "cli/app.h"

namespace spard::cli {
namespace {

TEST_CASE("docs/spar.1 is what spar --generate-man prints (regenerate it when help changes)",
          "[cli][man]") {
  std::ifstream in(std::string(SPARD_TESTDATA_DIR) + "/../../docs/spar.1");
  REQUIRE(in);
  std::stringstream committed;
  committed << in.rdbuf();
  SparApp app;
  // On failure: build/spar --generate-man > docs/spar.1
  CHECK(committed.str() == app.ManPage());
}

TEST_CASE("the man page carries every command, option and example of the help", "[cli][man]") {
  SparApp app;
  std::string man = app.ManPage();
  for (const CommandInfo* info : RegisteredCommands()) {
    CHECK(man.find(".SH \"SPAR " + std::string(info->name) + "\"") != std::string::npos);
    for (const Example& e : info->examples) {
      CHECK(man.find(RoffEscape(e.command)) != std::string::npos);
    }
    const CLI::App* sub = app.cli().get_subcommand(std::string(info->name));
    for (const CLI::Option* opt :
         sub->get_options([](const CLI::Option* o) { return !o->get_group().empty(); })) {
      INFO(opt->get_name());
      CHECK(man.find(RoffEscape(opt->get_description())) != std::string::npos);
    }
  }
  CHECK(man.find(".SH EXIT STATUS") != std::string::npos);
  CHECK(man.find("\\-\\-generate") == std::string::npos);  // hidden options are not listed
  CHECK(man.find("\\-\\-page\\-size") == std::string::npos);
}

TEST_CASE("roff escaping", "[cli][man]") {
  CHECK(RoffEscape("--limit") == "\\-\\-limit");
  CHECK(RoffEscape("a\\b") == "a\\eb");
  CHECK(RoffEscape(".TH x") == "\\&.TH x");
  CHECK(RoffEscape("'quoted") == "\\&'quoted");
}

}  // namespace
}  // namespace spard::cli
