// Command {{ cookiecutter.service_name }} was scaffolded from the organisation's cookiecutter-go-service template.
package main
{% if cookiecutter.http %}
import (
	"fmt"
	"log"
	"net/http"
)

func main() {
	http.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintln(w, "{{ cookiecutter.service_name }} ok")
	})
	log.Println("{{ cookiecutter.service_name }} listening on :{{ cookiecutter.port }}")
	log.Fatal(http.ListenAndServe(":{{ cookiecutter.port }}", nil))
}
{%- else %}
import "fmt"

func main() {
	fmt.Println("{{ cookiecutter.service_name }} ok")
}
{%- endif %}
