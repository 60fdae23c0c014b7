// Prints canonical_json (JSON.stringify(JSON.parse(body))) of a file, for compare.js to hold
// against node byte for byte. Exit 1 with the parse error on stderr when the file is not JSON.
#include "payload/json.hpp"

#include <fstream>
#include <iostream>
#include <iterator>
#include <string>

int main(int argc, char** argv) {
    if (argc != 2) {
        std::cerr << "usage: canonical_print FILE\n";
        return 2;
    }
    std::ifstream in(argv[1], std::ios::binary);
    if (!in) {
        std::cerr << "cannot read " << argv[1] << "\n";
        return 2;
    }
    const std::string body((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    try {
        std::cout << blandhook::payload::canonical_json(body);
    } catch (const blandhook::payload::JsonError& error) {
        std::cerr << error.what() << "\n";
        return 1;
    }
    return 0;
}
